/** systemd integration: the notify protocol, run's unit-facing flags, and unit generation. */
export { parseSdNotify, sdNotify, containerNotifyOptions, CONTAINER_NOTIFY_SOCKET, type SdNotifyMode } from './notify.js';
export { checkCidFile, writeCidFile, writePidFile, replaceContainer, saveCreateCommand, loadCreateCommand } from './run-files.js';
export { splitRunCommand, UNIT_DROPPED, type SplitCommand } from './command.js';
export { generateSystemd, writeUnitFiles, toteCommand, execWord, RESTART_POLICIES, type GenerateOptions, type UnitFile } from './unit.js';
