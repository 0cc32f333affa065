import { describe, test, expect } from '@jest/globals';
import { optionTag, placeholder, sentence, synopsis } from './notation.js';
import type { OptionDoc } from './model.js';

const option = (o: Partial<OptionDoc>): OptionDoc => ({ key: 'x', names: ['x'], switches: ['--x'], describe: '', required: false, extras: '', ...o });

describe('man notation', () => {
  test('sentence', () => {
    expect(sentence('List images')).toBe('List images.');
    expect(sentence('Really?')).toBe('Really?');
  });

  test('placeholder', () => {
    expect(placeholder('image')).toBe('\\fIIMAGE\\fR');
    expect(placeholder('command..')).toBe('\\fICOMMAND\\fR...');
    expect(placeholder('src|dest')).toBe('\\fISRC\\fR');
  });

  test('synopsis: the command in bold, [options] added where yargs left it out', () => {
    expect(synopsis('tote run [options] <image> [command..]', ['run'])).toBe('\\fB\\%tote run\\fR [\\fIoptions\\fR] \\fIIMAGE\\fR [\\fICOMMAND\\fR...]');
    expect(synopsis('tote image ls', ['image', 'ls'], ['image', 'list'])).toBe('\\fB\\%tote image list\\fR [\\fIoptions\\fR]');
  });

  test('optionTag: switches, then the value a non-flag takes', () => {
    expect(optionTag(option({ switches: ['-a', '--all'], type: 'boolean' }))).toBe('\\fB\\%\\-a\\fR, \\fB\\%\\-\\-all\\fR');
    expect(optionTag(option({ switches: ['-t'], type: 'number' }))).toBe('\\fB\\%\\-t\\fR=\\fInumber\\fR');
    expect(optionTag(option({ switches: ['--log-level'], type: 'string', choices: ['debug', 'info'] }))).toBe(
      '\\fB\\%\\-\\-log\\-level\\fR=\\fIdebug\\fR|\\fIinfo\\fR',
    );
    expect(optionTag(option({ switches: ['--env'], type: 'array' }))).toBe('\\fB\\%\\-\\-env\\fR=\\fIvalue\\fR');
  });
});
