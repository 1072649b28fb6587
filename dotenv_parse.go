package secrets

import (
	"bytes"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file parses .env content by the rules of github.com/joho/godotenv
// v1.5.1, which the Dotenv source used before: that package compiles
// regular expressions at init, which put the regexp engine (about a fifth
// of a small program's size) into every binary using this package.
// dotenv_parse_test.go checks this parser against godotenv.

// errDotenv is the only parse error: callers never repeat a parser's
// message, which may quote a value.
var errDotenv = errors.New("malformed .env content")

// parseDotenv parses .env content into variables.
func parseDotenv(src []byte) (map[string]string, error) {
	out := map[string]string{}
	rest := bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	for {
		rest = dotenvStatement(rest)
		if rest == nil {
			return out, nil
		}
		key, after, ok := dotenvKey(rest)
		if !ok {
			return nil, errDotenv
		}
		value, after, ok := dotenvValue(after, out)
		if !ok {
			return nil, errDotenv
		}
		out[key] = value
		rest = after
	}
}

// dotenvSpace reports the white space allowed around keys and values: not
// line ends.
func dotenvSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}

// dotenvStatement skips white space and comment lines, and returns src
// from the next statement, or nil at the end.
func dotenvStatement(src []byte) []byte {
	for {
		i := bytes.IndexFunc(src, func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			return nil
		}
		src = src[i:]
		if src[0] != '#' {
			return src
		}
		nl := bytes.IndexByte(src, '\n')
		if nl < 0 {
			return nil
		}
		src = src[nl:]
	}
}

// dotenvKey reads "[export ]KEY=" or "KEY:" and returns the key and what
// follows the separator, white space skipped. Keys hold letters, digits,
// '_' and '.' (and inner white space); without a separator until the end,
// the key is empty and the whole statement is the value.
func dotenvKey(src []byte) (key string, rest []byte, ok bool) {
	src = bytes.TrimLeftFunc(src, dotenvSpace)
	if after, found := bytes.CutPrefix(src, []byte("export")); found && bytes.IndexFunc(after, dotenvSpace) == 0 {
		src = bytes.TrimLeftFunc(after, dotenvSpace)
	}
	if len(src) == 0 {
		return "", nil, false
	}
	offset := 0
scan:
	for i, c := range src { // byte by byte, as godotenv does
		r := rune(c)
		switch {
		case dotenvSpace(r):
		case c == '=' || c == ':':
			key, offset = string(src[:i]), i+1
			break scan
		case c == '_' || c == '.' || unicode.IsLetter(r) || unicode.IsNumber(r):
		default:
			return "", nil, false
		}
	}
	return strings.TrimRightFunc(key, unicode.IsSpace), bytes.TrimLeftFunc(src[offset:], dotenvSpace), true
}

// dotenvValue reads a value: quoted ('...' literal, "..." with escapes and
// variables expanded, either may span lines) or up to the line end
// (trimmed, with a trailing " # comment" cut and variables expanded).
// It returns the value and the rest of src.
func dotenvValue(src []byte, vars map[string]string) (value string, rest []byte, ok bool) {
	if len(src) == 0 || (src[0] != '"' && src[0] != '\'') {
		eol := bytes.IndexAny(src, "\n\r")
		if eol < 0 {
			eol = len(src)
			if eol == 0 {
				return "", nil, true
			}
		}
		line := []rune(string(src[:eol])) // invalid UTF-8 becomes U+FFFD
		end := len(line)
		if end == 0 {
			return "", src[eol:], true
		}
		for i := end - 1; i > 0; i-- {
			if line[i] == '#' && dotenvSpace(line[i-1]) {
				end = i
				break
			}
		}
		v := strings.TrimFunc(string(line[:end]), dotenvSpace)
		return expandDotenvVars(v, vars), src[eol:], true
	}
	q := src[0]
	for i := 1; i < len(src); i++ {
		if src[i] != q || src[i-1] == '\\' {
			continue
		}
		v := string(bytes.Trim(src[:i], string(q)))
		if q == '"' {
			v = expandDotenvVars(expandDotenvEscapes(v), vars)
		}
		return v, src[i+1:], true
	}
	return "", nil, false // unterminated
}

// expandDotenvEscapes turns \n and \r into line ends, then drops the
// backslash of every other escape except \$ (left to expandDotenvVars).
func expandDotenvEscapes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] != '\n' {
			_, n := utf8.DecodeRuneInString(s[i+1:])
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteString(s[i : i+1+n])
			}
			i += 1 + n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	s = b.String()
	b.Reset()
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] != '$' {
			_, n := utf8.DecodeRuneInString(s[i+1:])
			b.WriteString(s[i+1 : i+1+n])
			i += 1 + n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// expandDotenvVars replaces $NAME, ${NAME} (and $(NAME), ${NAME without
// its brace...) by the value of NAME among vars, the variables defined
// before; NAME is [A-Z0-9_]+. \$ is a literal $. A $ not followed by a
// name stays as it is.
func expandDotenvVars(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		start, escaped := i, false
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '$':
			escaped = true
			i++
		case s[i] != '$':
			continue
		}
		j := i + 1
		if j < len(s) && s[j] == '(' {
			j++
		}
		if j < len(s) && s[j] == '{' {
			j++
		}
		nameStart := j
		for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_') {
			j++
		}
		name := s[nameStart:j]
		if j < len(s) && s[j] == '}' {
			j++
		}
		b.WriteString(s[last:start])
		switch {
		case escaped:
			b.WriteString(s[start+1 : j])
		case name != "":
			b.WriteString(vars[name])
		default:
			b.WriteString(s[start:j])
		}
		last = j
		i = j - 1
	}
	b.WriteString(s[last:])
	return b.String()
}
