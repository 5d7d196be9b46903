package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree into a struct, recording where each
// setting was written and collecting every problem instead of stopping at
// the first.
type decoder struct {
	pos   map[string]Pos // setting path ("fetch.timeouts.body") → where its value is
	bad   map[string]bool
	probs []Problem
}

var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *decoder) decodeFile(data []byte, c *Config) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p := Problem{Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
		if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Col, p.Msg = 1, m[2]
		}
		d.probs = append(d.probs, p)
		return
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return // empty, or only comments
	}
	d.value(doc.Content[0], reflect.ValueOf(c).Elem(), "")
}

// fail records a problem with the value at n and keeps path from being
// judged again by validate.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	if d.bad == nil {
		d.bad = map[string]bool{}
	}
	d.bad[path] = true
	d.probs = append(d.probs, Problem{Line: n.Line, Col: n.Column, Msg: label(path) + fmt.Sprintf(format, args...)})
}

func label(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

var unmarshaler = reflect.TypeFor[yaml.Unmarshaler]()

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	for depth := 0; n.Kind == yaml.AliasNode && n.Alias != nil && depth < 10; depth++ {
		n = n.Alias
	}
	d.pos[path] = Pos{Line: n.Line, Col: n.Column}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshaler) {
		if isNull(n) {
			v.SetZero()
			return
		}
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.fail(n, path, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		d.value(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.Slice:
		if isNull(n) {
			v.SetZero()
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "want a list, such as [a, b] or lines starting with -")
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if isNull(n) {
			v.SetString("")
			return
		}
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "want a single value, not a %s", kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.Decode(&i) != nil {
			d.fail(n, path, "want a whole number, got %s", shown(n))
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
			d.fail(n, path, "want true or false, got %s", shown(n))
			return
		}
		v.SetBool(b)
	default:
		d.fail(n, path, "cannot hold %s", v.Type())
	}
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		return // "fetch:" with nothing under it keeps the defaults
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want keys and values (a mapping), got %s", shown(n))
		return
	}
	fields := map[string]int{}
	var names []string
	for i := range v.NumField() {
		tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			fields[tag] = i
			names = append(names, tag)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		child := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.fail(k, child, "key repeated (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		f, ok := fields[k.Value]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if s := closest(k.Value, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known: " + strings.Join(names, ", ") + ")"
			}
			// Not fail: the rest of the parent is still worth judging.
			d.probs = append(d.probs, Problem{Line: k.Line, Col: k.Column, Msg: label(path) + msg})
			continue
		}
		d.value(val, v.Field(f), child)
	}
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want keys and values (a mapping), got %s", shown(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		child := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "a key must be a plain name")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.fail(k, child, "key repeated (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		d.pos[child+"#key"] = Pos{Line: k.Line, Col: k.Column}
		e := reflect.New(v.Type().Elem()).Elem()
		d.value(val, e, child)
		v.SetMapIndex(reflect.ValueOf(k.Value), e)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

func shown(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return "a " + kindName(n)
}

// closest is the known key within two edits of k, for "did you mean".
func closest(k string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := distance(strings.ToLower(k), n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// distance is the Levenshtein distance, for short keys.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// at records a problem with the setting at path, placed where the setting
// (or, if it was not written, its nearest written parent) is. A setting
// whose value already failed to decode is not judged again.
func (d *decoder) at(path, format string, args ...any) {
	for p := path; ; p = parent(p) {
		if d.bad[p] {
			return
		}
		if p == "" {
			break
		}
	}
	var pos Pos
	for p := path; ; p = parent(p) {
		if q, ok := d.pos[p]; ok {
			pos = q
			break
		}
		if p == "" {
			break
		}
	}
	d.probs = append(d.probs, Problem{Line: pos.Line, Col: pos.Col, Env: pos.Env, Msg: label(path) + fmt.Sprintf(format, args...)})
}

// keyAt is at, placed on a map key rather than its value.
func (d *decoder) keyAt(path, format string, args ...any) {
	if pos, ok := d.pos[path+"#key"]; ok {
		d.probs = append(d.probs, Problem{Line: pos.Line, Col: pos.Col, Msg: label(path) + fmt.Sprintf(format, args...)})
		return
	}
	d.at(path, format, args...)
}

// parent of "a.b[2].c" is "a.b[2]", of "a.b[2]" is "a.b", of "a" is "".
func parent(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	// Map keys may hold dots? Site names do not; a slash is fine.
	i := strings.LastIndexByte(p, '.')
	if i < 0 {
		return ""
	}
	return p[:i]
}
