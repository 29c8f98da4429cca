package spec

import (
	"fmt"
	"strings"
)

// lineIndex maps dotted keys ("sweep.model.hidden", "paper.rows[3]") to the
// 1-based line where they are written. BurntSushi/toml v1.5 keeps key
// positions unexported (ParseError carries a position, MetaData.Undecoded
// does not), so this small scanner recovers them for error messages. It
// understands table headers, arrays of tables, dotted and quoted keys and
// multi-line arrays of inline tables; anything it cannot place falls back
// to the nearest enclosing key in Line.
type lineIndex map[string]int

// Line returns the line of key, or of its nearest recorded ancestor, or 0.
func (ix lineIndex) Line(key string) int {
	for key != "" {
		if l, ok := ix[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			return 0
		}
		key = key[:i]
	}
	return 0
}

func (ix lineIndex) set(key string, line int) {
	if _, ok := ix[key]; !ok {
		ix[key] = line
	}
}

// parseKey splits a TOML key ("a.\"b.c\".d") into its parts; rest is what
// follows the key. ok is false when s does not start with a key.
func parseKey(s string) (parts []string, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t")
	for {
		if s == "" {
			return nil, "", false
		}
		switch s[0] {
		case '"', '\'':
			q := s[0]
			end := 1
			for end < len(s) && s[end] != q {
				if q == '"' && s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, "", false
			}
			parts = append(parts, s[1:end])
			s = s[end+1:]
		default:
			end := 0
			for end < len(s) && (isBare(s[end])) {
				end++
			}
			if end == 0 {
				return nil, "", false
			}
			parts = append(parts, s[:end])
			s = s[end:]
		}
		s = strings.TrimLeft(s, " \t")
		if s != "" && s[0] == '.' {
			s = strings.TrimLeft(s[1:], " \t")
			continue
		}
		return parts, s, true
	}
}

func isBare(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// indexLines scans TOML text.
func indexLines(text string) lineIndex {
	ix := lineIndex{}
	arrays := map[string]int{} // array-of-tables path -> elements seen
	current := ""
	// State of a multi-line value.
	depth := 0     // bracket depth of an open value
	valueKey := "" // key of the open value
	elems := 0     // inline tables seen at depth 1 of the open value
	inMulti := ""  // open multi-line string delimiter
	resolve := func(parts []string) string {
		p := ""
		for _, s := range parts {
			p = join(p, s)
			if n, ok := arrays[p]; ok && n > 0 {
				p = fmt.Sprintf("%s[%d]", p, n-1)
			}
		}
		return p
	}
	// scanValue walks a value's characters, tracking brackets and strings.
	scanValue := func(s string, line int) {
		for i := 0; i < len(s); i++ {
			if inMulti != "" {
				if strings.HasPrefix(s[i:], inMulti) {
					i += len(inMulti) - 1
					inMulti = ""
				}
				continue
			}
			switch c := s[i]; c {
			case '#':
				return
			case '"', '\'':
				delim := string([]byte{c, c, c})
				if strings.HasPrefix(s[i:], delim) {
					inMulti = delim
					i += 2
					continue
				}
				for i++; i < len(s) && s[i] != c; i++ {
					if c == '"' && s[i] == '\\' {
						i++
					}
				}
			case '[':
				depth++
			case '{':
				if depth == 1 && valueKey != "" {
					ix.set(fmt.Sprintf("%s[%d]", valueKey, elems), line)
					elems++
				}
				depth++
			case ']', '}':
				if depth > 0 {
					depth--
				}
			}
		}
	}
	for n, raw := range strings.Split(text, "\n") {
		line := n + 1
		if depth > 0 || inMulti != "" {
			scanValue(raw, line)
			continue
		}
		s := strings.TrimSpace(raw)
		if s == "" || s[0] == '#' {
			continue
		}
		if strings.HasPrefix(s, "[[") {
			parts, _, ok := parseKey(s[2:])
			if !ok {
				continue
			}
			base := resolve(parts[:len(parts)-1])
			p := join(base, parts[len(parts)-1])
			ix.set(p, line)
			current = fmt.Sprintf("%s[%d]", p, arrays[p])
			arrays[p]++
			ix.set(current, line)
			continue
		}
		if s[0] == '[' {
			parts, _, ok := parseKey(s[1:])
			if !ok {
				continue
			}
			current = resolve(parts)
			ix.set(current, line)
			continue
		}
		parts, rest, ok := parseKey(s)
		if !ok || !strings.HasPrefix(rest, "=") {
			continue
		}
		key := current
		for _, p := range parts {
			key = join(key, p)
		}
		ix.set(key, line)
		valueKey, elems = key, 0
		scanValue(rest[1:], line)
	}
	return ix
}
