import { describe, test, expect } from '@jest/globals';
import { HEADER_FUNCS, HeaderRow, Template } from './index.js';

const headers = new HeaderRow({ ID: 'CONTAINER ID', Names: 'NAMES', 'Config.Env': 'ENV', Labels: 'LABELS' });

function header(src: string): string {
  return new Template(src).execute(headers, HEADER_FUNCS);
}

describe('table headers', () => {
  test('a field chain is its column name: full chain, else its first field, else upper case', () => {
    expect(header('{{.ID}}|{{.Config.Env}}|{{.Labels.x}}|{{.Image.Name}}')).toBe('CONTAINER ID|ENV|LABELS|IMAGE.NAME');
  });

  test("docker's functions pass the header through", () => {
    expect(header('{{upper .Names}}|{{json .ID}}|{{join .Names ","}}|{{truncate .ID 3}}|{{index .Labels "k"}}')).toBe(
      'NAMES|CONTAINER ID|NAMES|CONTAINER ID|LABELS',
    );
  });

  test('methods of the row are header cells too', () => {
    expect(header('{{.Label "com.x"}}')).toBe('LABEL');
  });

  test('a header prints as nothing by itself', () => {
    expect(header('[{{.}}]')).toBe('[]');
  });

  test('a variable holding the row is a header row too', () => {
    expect(header('{{$r := .}}{{$r.Names}}')).toBe('NAMES');
  });
});
