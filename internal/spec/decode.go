package spec

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"
)

// DecodeStrict decodes a TOML section (as held in runner.Point.Config) into
// the struct pointed to by into, strictly:
//
//   - a key with no matching field is an error (with the list of known keys);
//   - a value of the wrong type is an error (an integer is accepted for a
//     float field; nothing else converts);
//   - a field tagged `toml:"name,required"` that is absent is an error.
//
// Fields are matched by their `toml:"name"` tag, else by their Go name
// lower-cased; fields tagged `toml:"-"` are skipped. Supported field types:
// string, bool, integers, floats, time.Duration (a string such as "1m30s"),
// slices and arrays of those, nested structs, map[string]T and any.
// where is the section's dotted key ("model"); errors are *KeyError with
// the full key ("model.hidden"). Fields absent from section keep their
// value, so set defaults before calling.
func DecodeStrict(section map[string]any, into any, where string) error {
	rv := reflect.ValueOf(into)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return &KeyError{Key: where, Msg: fmt.Sprintf("DecodeStrict needs a pointer to a struct, got %T", into)}
	}
	return decodeStruct(section, rv.Elem(), where)
}

type fieldInfo struct {
	index    int
	name     string
	required bool
}

func structFields(t reflect.Type) []fieldInfo {
	var fs []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("toml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fs = append(fs, fieldInfo{index: i, name: name, required: strings.Contains(","+opts+",", ",required,")})
	}
	return fs
}

func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

func decodeStruct(m map[string]any, rv reflect.Value, where string) error {
	fields := structFields(rv.Type())
	byName := make(map[string]fieldInfo, len(fields))
	for _, f := range fields {
		byName[f.name] = f
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := byName[k]
		if !ok {
			known := make([]string, 0, len(fields))
			for _, f := range fields {
				known = append(known, f.name)
			}
			sort.Strings(known)
			return &KeyError{Key: join(where, k), Msg: fmt.Sprintf("unknown key (known keys: %s)", strings.Join(known, ", "))}
		}
		if err := decodeValue(m[k], rv.Field(f.index), join(where, k)); err != nil {
			return err
		}
	}
	for _, f := range fields {
		if _, ok := m[f.name]; f.required && !ok {
			return &KeyError{Key: join(where, f.name), Msg: "required key is missing"}
		}
	}
	return nil
}

// tomlType names the TOML type of a decoded value for error messages.
func tomlType(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("string %q", v)
	case bool:
		return fmt.Sprintf("boolean %v", v)
	case int64, int:
		return fmt.Sprintf("integer %v", v)
	case float64:
		return fmt.Sprintf("float %v", v)
	case []any, []map[string]any:
		return "array"
	case map[string]any:
		return "table"
	case time.Time:
		return "datetime"
	}
	return fmt.Sprintf("%T", v)
}

var durationType = reflect.TypeOf(time.Duration(0))

func decodeValue(v any, rv reflect.Value, key string) error {
	bad := func(want string) error {
		return &KeyError{Key: key, Msg: fmt.Sprintf("want %s, got %s", want, tomlType(v))}
	}
	if rv.Type() == durationType {
		s, ok := v.(string)
		if !ok {
			return bad(`a duration string such as "90s"`)
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return &KeyError{Key: key, Msg: fmt.Sprintf("bad duration %q: %v", s, err)}
		}
		rv.SetInt(int64(d))
		return nil
	}
	switch rv.Kind() {
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return bad("a string")
		}
		rv.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return bad("a boolean (true or false)")
		}
		rv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := asInt(v)
		if !ok {
			return bad("an integer")
		}
		if rv.OverflowInt(i) {
			return &KeyError{Key: key, Msg: fmt.Sprintf("integer %d out of range for %s", i, rv.Type())}
		}
		rv.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, ok := asInt(v)
		if !ok {
			return bad("a non-negative integer")
		}
		if i < 0 || rv.OverflowUint(uint64(i)) {
			return &KeyError{Key: key, Msg: fmt.Sprintf("integer %d out of range for %s", i, rv.Type())}
		}
		rv.SetUint(uint64(i))
	case reflect.Float32, reflect.Float64:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		case int:
			f = float64(x)
		default:
			return bad("a number")
		}
		if rv.Kind() == reflect.Float32 && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) > math.MaxFloat32 {
			return &KeyError{Key: key, Msg: fmt.Sprintf("%v out of range for float32", f)}
		}
		rv.SetFloat(f)
	case reflect.Slice:
		items, ok := asSlice(v)
		if !ok {
			return bad("an array")
		}
		s := reflect.MakeSlice(rv.Type(), len(items), len(items))
		for i, it := range items {
			if err := decodeValue(it, s.Index(i), fmt.Sprintf("%s[%d]", key, i)); err != nil {
				return err
			}
		}
		rv.Set(s)
	case reflect.Array:
		items, ok := asSlice(v)
		if !ok {
			return bad("an array")
		}
		if len(items) != rv.Len() {
			return &KeyError{Key: key, Msg: fmt.Sprintf("want an array of %d values, got %d", rv.Len(), len(items))}
		}
		for i, it := range items {
			if err := decodeValue(it, rv.Index(i), fmt.Sprintf("%s[%d]", key, i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return bad("a table")
		}
		return decodeStruct(m, rv, key)
	case reflect.Pointer:
		p := reflect.New(rv.Type().Elem())
		if err := decodeValue(v, p.Elem(), key); err != nil {
			return err
		}
		rv.Set(p)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return &KeyError{Key: key, Msg: fmt.Sprintf("unsupported map type %s", rv.Type())}
		}
		m, ok := v.(map[string]any)
		if !ok {
			return bad("a table")
		}
		out := reflect.MakeMapWithSize(rv.Type(), len(m))
		for k, x := range m {
			e := reflect.New(rv.Type().Elem()).Elem()
			if err := decodeValue(x, e, join(key, k)); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), e)
		}
		rv.Set(out)
	case reflect.Interface:
		if rv.NumMethod() != 0 {
			return &KeyError{Key: key, Msg: fmt.Sprintf("unsupported field type %s", rv.Type())}
		}
		if v != nil {
			rv.Set(reflect.ValueOf(v))
		}
	default:
		return &KeyError{Key: key, Msg: fmt.Sprintf("unsupported field type %s", rv.Type())}
	}
	return nil
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}

func asSlice(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []map[string]any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, true
	}
	return nil, false
}

// Section names one table of a point's configuration ("data", "model", "train") and the
// struct it decodes into (a pointer, holding the defaults).
type Section struct {
	Name string
	Into any
}

// DecodeSections decodes each section's table of config with [DecodeStrict], in order,
// stopping at the first error. A table absent from config leaves its struct's defaults; a
// value that is not a table is an error naming it.
func DecodeSections(config map[string]any, sections ...Section) error {
	for _, s := range sections {
		v, ok := config[s.Name]
		if !ok || v == nil {
			v = map[string]any{}
		}
		m, ok := v.(map[string]any)
		if !ok {
			return &KeyError{Key: s.Name, Msg: fmt.Sprintf("must be a table, got %T", v)}
		}
		if err := DecodeStrict(m, s.Into, s.Name); err != nil {
			return err
		}
	}
	return nil
}
