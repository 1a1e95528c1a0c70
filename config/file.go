package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"go.yaml.in/yaml/v3"
)

// readFile reads the YAML configuration file. It returns nil settings and an
// error when the file cannot be read or parsed; otherwise the settings it
// gives (by environment variable name) and an error for each key it does not
// know or value of the wrong shape.
func readFile(path string) (map[string]value, error) {
	fail := func(format string, args ...any) (map[string]value, error) {
		return nil, fmt.Errorf("%s: config file %q %s; expected a YAML mapping of settings, e.g. \"target: http://host:8080/fx/api/v1\"",
			EnvConfig, path, fmt.Sprintf(format, args...))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: config file %q cannot be read: %v; expected a readable YAML file (or %s unset)", EnvConfig, path, cause(err), EnvConfig)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return map[string]value{}, nil // an empty file sets nothing
	} else if err != nil {
		return fail("is not valid YAML: %v", err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		return fail("holds more than one YAML document")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return map[string]value{}, nil // a document of only comments
	}
	if root.Kind != yaml.MappingNode {
		return fail("holds a %s at the top", kindName(root))
	}

	found := map[string]value{}
	lines := map[string]int{}
	var errs []error
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, n := root.Content[i], root.Content[i+1]
		where := fmt.Sprintf("%s: config file %q line %d", EnvConfig, path, k.Line)
		if k.Kind != yaml.ScalarNode {
			errs = append(errs, fmt.Errorf("%s: a key is a %s; expected a setting name such as \"target\"", where, kindName(k)))
			continue
		}
		s, ok := settingByKey(k.Value)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown key %q; expected one of %s", where, k.Value, names(true)))
			continue
		}
		if first, dup := lines[k.Value]; dup {
			errs = append(errs, fmt.Errorf("%s: key %q is given again (first on line %d); expected each setting once", where, k.Value, first))
			continue
		}
		lines[k.Value] = k.Line
		from := fmt.Sprintf("key %q in %s, line %d", s.Key, path, k.Line)
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch {
		case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
			// "key:" with no value sets nothing.
		case n.Kind == yaml.ScalarNode:
			found[s.Env] = value{text: n.Value, from: from}
		case n.Kind == yaml.SequenceNode && acceptsList(s):
			v := value{isList: true, from: from, list: []string{}}
			for _, item := range n.Content {
				if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
					errs = append(errs, problem(s.Env, from, "an entry is a %s; expected a list of single values, e.g. %s: [a, b]", kindName(item), s.Key))
					v.list = nil
					break
				}
				v.list = append(v.list, item.Value)
			}
			if v.list != nil {
				found[s.Env] = v
			}
		default:
			errs = append(errs, problem(s.Env, from, "the value is a %s; expected a single value", kindName(n)))
		}
	}
	return found, errors.Join(errs...)
}

// acceptsList: the setting may be given as a YAML list.
func acceptsList(s Setting) bool {
	_, ok := s.field(&Config{}).(lister)
	return ok
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "single value"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// cause drops the path an *fs.PathError repeats, since messages quote it already.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
