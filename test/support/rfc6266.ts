/**
 * A strict reader of `Content-Disposition` values (RFC 6266 §4.1 with RFC 8187 ext-values),
 * written for the tests and independent of the code under test: it throws on anything the
 * grammar does not allow, e.g. a `'`, `(`, `)` or `*` left unencoded in `filename*`.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

export interface ParsedDisposition {
  readonly type: string;
  readonly parameters: Record<string, string>;
}

/** Splits the value into its disposition type and parameters (quoted-strings unescaped, `filename*` decoded). */
export function parseDispositionStrictly(header: string): ParsedDisposition {
  let i = 0;
  const skipSpaces = () => {
    while (header[i] === ' ' || header[i] === '\t') i++;
  };
  const readToken = () => {
    const start = i;
    while (i < header.length && TOKEN.test(header[i]!)) i++;
    if (i === start) throw new Error(`token expected at ${start} in ${header}`);
    return header.slice(start, i);
  };
  const type = readToken().toLowerCase();
  const parameters: Record<string, string> = {};
  while (i < header.length) {
    skipSpaces();
    if (header[i] !== ';') throw new Error(`';' expected at ${i} in ${header}`);
    i++;
    skipSpaces();
    const name = readToken().toLowerCase();
    skipSpaces();
    if (header[i] !== '=') throw new Error(`'=' expected at ${i} in ${header}`);
    i++;
    skipSpaces();
    let value: string;
    if (name.endsWith('*')) {
      value = decodeExtValue(readToken());
    } else if (header[i] === '"') {
      i++;
      value = '';
      for (;;) {
        const char = header[i];
        if (char === undefined) throw new Error(`unterminated quoted-string in ${header}`);
        i++;
        if (char === '"') break;
        if (char === '\\') {
          const escaped = header[i++];
          if (escaped === undefined) throw new Error(`bad quoted-pair in ${header}`);
          value += escaped;
        } else {
          if (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) > 0x7e) throw new Error(`non-ASCII in quoted-string: ${header}`);
          value += char;
        }
      }
    } else {
      value = readToken();
    }
    if (Object.hasOwn(parameters, name)) throw new Error(`parameter ${name} twice in ${header}`);
    parameters[name] = value;
    skipSpaces();
  }
  return { type, parameters };
}

/** RFC 8187 §3.2.1 ext-value, UTF-8 only: `UTF-8'<language>'<value-chars>`. */
function decodeExtValue(text: string): string {
  const match = /^UTF-8'([A-Za-z0-9-]*)'(.*)$/i.exec(text);
  if (!match) throw new Error(`not a UTF-8 ext-value: ${text}`);
  const encoded = match[2]!;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; ) {
    const char = encoded[i]!;
    if (char === '%') {
      const hex = encoded.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`bad pct-encoded at ${i} in ${text}`);
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else if (ATTR_CHAR.test(char)) {
      bytes.push(char.charCodeAt(0));
      i++;
    } else {
      throw new Error(`'${char}' is not an attr-char (RFC 8187) in ${text}`);
    }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
}

/** The file name a strict RFC 6266 recipient uses: `filename*` when present, else `filename`. */
export function fileNameOf(header: string): string | undefined {
  const { parameters } = parseDispositionStrictly(header);
  return parameters['filename*'] ?? parameters.filename;
}
