/**
 * `WWW-Authenticate` parsing (RFC 7235): `Bearer realm="…",service="…",scope="…"`
 * or `Basic realm="…"`. Several challenges may share one header.
 */
export interface Challenge {
  /** Lower-cased scheme: `basic`, `bearer`. */
  scheme: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
}

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const out: Challenge[] = [];
  let i = 0;
  const n = text.length;
  const skipWs = () => {
    while (i < n && /[\s,]/.test(text[i]!)) i++;
  };
  while (i < n) {
    skipWs();
    const m = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(text.slice(i));
    if (!m) break;
    const scheme = m[0].toLowerCase();
    i += m[0].length;
    const params: Record<string, string> = {};
    // params: name=value or name="quoted", comma separated, until the next scheme token.
    for (;;) {
      const save = i;
      while (i < n && /[\s,]/.test(text[i]!)) i++;
      const pm = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(text.slice(i));
      if (!pm) {
        i = save;
        break;
      }
      i += pm[0].length;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < n) i++;
          value += text[i];
          i++;
        }
        i++; // closing quote
      } else {
        const vm = /^[^\s,]*/.exec(text.slice(i))!;
        value = vm[0];
        i += vm[0].length;
      }
      params[pm[1]!.toLowerCase()] = value;
    }
    out.push({ scheme, params });
  }
  return out;
}
