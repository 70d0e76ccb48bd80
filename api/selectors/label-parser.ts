/**
 * The label selector string syntax (`app=web,tier in (a,b),!canary`): a lexer and a
 * recursive-descent parser that follow apimachinery's labels parser, error messages
 * included.
 */
import { isQualifiedName } from '../meta/validation.js';
import { invalidValue, newRequirement, type LabelOperator, type Requirement } from './requirement.js';

type TokenKind =
  | 'identifier'
  | 'end'
  | '!'
  | '!='
  | '='
  | '=='
  | '>'
  | '<'
  | '('
  | ')'
  | ','
  | 'in'
  | 'notin';

interface Token {
  kind: TokenKind;
  literal: string;
}

const SYMBOLS: ReadonlySet<string> = new Set(['!', '!=', '=', '==', '>', '<', '(', ')', ',']);
const SPECIAL_CHARS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && WHITESPACE.has(input[pos]!)) pos++;
    if (pos >= input.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    const ch = input[pos]!;
    if (SPECIAL_CHARS.has(ch)) {
      // The longest symbol at this position (every single special character is one).
      const two = input.slice(pos, pos + 2);
      const symbol = SYMBOLS.has(two) ? two : ch;
      tokens.push({ kind: symbol as TokenKind, literal: symbol });
      pos += symbol.length;
      continue;
    }
    let end = pos;
    while (end < input.length && !WHITESPACE.has(input[end]!) && !SPECIAL_CHARS.has(input[end]!)) end++;
    const word = input.slice(pos, end);
    pos = end;
    tokens.push({ kind: word === 'in' || word === 'notin' ? word : 'identifier', literal: word });
  }
}

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

/** Token lookup modes: in values and keys, `in`/`notin` are plain identifiers. */
type Mode = 'values' | 'keyAndOperator';

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private view(token: Token, mode: Mode): Token {
    if (mode === 'values' && (token.kind === 'in' || token.kind === 'notin')) {
      return { kind: 'identifier', literal: token.literal };
    }
    return token;
  }

  lookahead(mode: Mode): Token {
    return this.view(this.tokens[this.pos]!, mode);
  }

  consume(mode: Mode): Token {
    const token = this.tokens[this.pos]!;
    if (this.pos < this.tokens.length - 1) this.pos++;
    return this.view(token, mode);
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const next = this.lookahead('values');
      if (next.kind === 'end') return requirements;
      if (next.kind !== 'identifier' && next.kind !== '!') {
        throw new Error(`found '${next.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (err) {
        throw new Error(`unable to parse requirement: ${(err as Error).message}`);
      }
      const sep = this.consume('values');
      if (sep.kind === 'end') return requirements;
      if (sep.kind !== ',') throw new Error(`found '${sep.literal}', expected: ',' or 'end of string'`);
      const after = this.lookahead('values');
      if (after.kind !== 'identifier' && after.kind !== '!') {
        throw new Error(`found '${after.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let notExists = false;
    let token = this.consume('values');
    if (token.kind === '!') {
      notExists = true;
      token = this.consume('values');
    }
    if (token.kind !== 'identifier') throw new Error(`found '${token.literal}', expected: identifier`);
    const key = token.literal;
    const keyErrs = isQualifiedName(key);
    // apimachinery validates the key here with an empty field path, printed as "<nil>".
    if (keyErrs.length > 0) throw new Error(invalidValue('<nil>', JSON.stringify(key), keyErrs.join('; ')));
    const next = this.lookahead('values');
    if (notExists) return newRequirement(key, '!', []);
    if (next.kind === 'end' || next.kind === ',') return newRequirement(key, 'exists', []);

    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, values);
  }

  private parseOperator(): LabelOperator {
    const token = this.consume('keyAndOperator');
    switch (token.kind) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return token.kind;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new Error(`found '${token.literal}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume('values');
    if (open.kind !== '(') throw new Error(`found '${open.literal}' expected: '('`);
    const next = this.lookahead('values');
    if (next.kind === ')') {
      this.consume('values');
      return [''];
    }
    if (next.kind !== 'identifier' && next.kind !== ',') {
      throw new Error(`found '${next.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifierList();
    const close = this.consume('values');
    if (close.kind !== ')') throw new Error(`found '${close.literal}', expected: ')'`);
    return values;
  }

  /** A comma-separated list inside parentheses; empty items (`(a,)`, `(,a)`) are empty strings. */
  private parseIdentifierList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const token = this.consume('values');
      if (token.kind === 'identifier') {
        values.add(token.literal);
        const next = this.lookahead('values');
        if (next.kind === ',') continue;
        if (next.kind === ')') return [...values];
        throw new Error(`found '${next.literal}', expected: ',' or ')'`);
      } else if (token.kind === ',') {
        if (values.size === 0) values.add('');
        const next = this.lookahead('values');
        if (next.kind === ')') {
          values.add('');
          return [...values];
        }
        if (next.kind === ',') {
          this.consume('values');
          values.add('');
        }
      } else {
        throw new Error(`found '${token.literal}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead('values');
    if (next.kind === 'end' || next.kind === ',') return [''];
    const token = this.consume('values');
    if (token.kind === 'identifier') return [token.literal];
    throw new Error(`found '${token.literal}', expected: identifier`);
  }
}

/** Parses a selector string into its requirements (unsorted); throws on bad syntax or invalid keys/values. */
export function parseRequirements(selector: string): Requirement[] {
  return new Parser(lex(selector)).parse();
}
