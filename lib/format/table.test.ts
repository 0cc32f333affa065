import { describe, test, expect } from '@jest/globals';
import { renderFormatted, renderTable, tabwrite } from './table.js';

const PS_HEADERS = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'];

describe('renderTable (docker tabwriter: minwidth 10, padding 3)', () => {
  test('empty docker ps', () => {
    expect(renderTable(PS_HEADERS, [])).toBe('CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
  });

  test('empty docker images', () => {
    expect(renderTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], [])).toBe(
      'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n',
    );
  });

  test('docker ps with rows', () => {
    const rows = [
      ['4c01db0b339c', 'ubuntu:22.04', '"bash"', '17 seconds ago', 'Up 16 seconds', '', 'happy_turing'],
      ['d7886598dbe2', 'alpine', '"sleep 1000"', '2 hours ago', 'Exited (0) 1 hour ago', '', 'web'],
    ];
    expect(renderTable(PS_HEADERS, rows)).toBe(
      [
        'CONTAINER ID   IMAGE          COMMAND        CREATED          STATUS                  PORTS     NAMES',
        '4c01db0b339c   ubuntu:22.04   "bash"         17 seconds ago   Up 16 seconds                     happy_turing',
        'd7886598dbe2   alpine         "sleep 1000"   2 hours ago      Exited (0) 1 hour ago             web',
        '',
      ].join('\n'),
    );
  });

  test('widths count characters, not UTF-16 units', () => {
    expect(renderTable(['A', 'B'], [['héllo→😀', 'x']])).toBe('A         B\nhéllo→😀   x\n');
  });
});

describe('tabwrite', () => {
  test('column blocks end at a line without that column (Go Example_elastic, left-aligned)', () => {
    const out = tabwrite('a\tb\tc\naa\tbb\tcc\naaa\t\naaaa\tdddd\teeee\n', { minwidth: 0, padding: 1, padchar: '.' });
    expect(out).toBe('a....b..c\naa...bb.cc\naaa..\naaaa.dddd.eeee\n');
  });

  test('text without tabs passes through', () => {
    expect(tabwrite('one\ntwo')).toBe('one\ntwo');
  });
});

describe('renderFormatted', () => {
  const headers = { ID: 'CONTAINER ID', Names: 'NAMES', Image: 'IMAGE', Labels: 'LABELS' };
  const rows = [
    { ID: 'abc', Names: 'web', Image: 'nginx', Labels: 'a=b', Label: (k: string) => (k === 'a' ? 'b' : '') },
    { ID: 'defghijklmno', Names: 'db', Image: 'postgres:16', Labels: '', Label: () => '' },
  ];

  test('table with header names', () => {
    expect(renderFormatted('table {{.ID}}\\t{{.Names}}', rows, headers)).toBe(
      'CONTAINER ID   NAMES\nabc            web\ndefghijklmno   db\n',
    );
  });

  test('table header through functions and methods', () => {
    expect(renderFormatted('table {{.Names | upper}}\\t{{.Label "a"}}\\t{{json .Image}}', rows, headers)).toBe(
      'NAMES     LABEL     IMAGE\nWEB       b         "nginx"\nDB                  "postgres:16"\n',
    );
  });

  test('table with no rows still prints the header', () => {
    expect(renderFormatted('table {{.ID}}\t{{.Image}}', [], headers)).toBe('CONTAINER ID   IMAGE\n');
  });

  test('bare "table" uses the default template', () => {
    expect(renderFormatted('table', rows.slice(0, 1), { ID: 'ID', Names: 'NAMES' })).toBe('ID        NAMES\nabc       web\n');
    expect(renderFormatted('table', rows.slice(0, 1), headers, { defaultTemplate: '{{.Image}}' })).toBe('IMAGE\nnginx\n');
  });

  test('plain template: one line per row, no alignment', () => {
    expect(renderFormatted('{{.ID}}\\t{{.Names}}', rows, headers)).toBe('abc\tweb\ndefghijklmno\tdb\n');
  });

  test('json: one compact object per line', () => {
    expect(renderFormatted('json', rows, headers)).toBe(
      '{"ID":"abc","Names":"web","Image":"nginx","Labels":"a=b"}\n{"ID":"defghijklmno","Names":"db","Image":"postgres:16","Labels":""}\n',
    );
    expect(renderFormatted('json', [], headers)).toBe('');
  });
});
