package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// fileConfig is the --config file: where each storage_config.type goes.
type fileConfig struct {
	Default      string
	Destinations map[string]destination
	// ManifestDestination receives each run's manifest, so it outlives an ephemeral pod.
	ManifestDestination *manifestDestination
}

// manifestDestination is a destination of any type, configured like destinations.<type> plus type.
type manifestDestination struct {
	Type string
	destination
}

// defaultConfig is what runs without --config: everything into ./archive.
func defaultConfig() *fileConfig {
	return &fileConfig{Default: "local", Destinations: map[string]destination{"local": localDestination{Dir: "./archive"}}}
}

// rawConfig is the file as YAML: each entry is decoded by its own type.
type rawConfig struct {
	Default             string               `yaml:"default"`
	Destinations        map[string]yaml.Node `yaml:"destinations"`
	ManifestDestination yaml.Node            `yaml:"manifest_destination"`
}

// loadConfig reads and checks a config file. Unknown keys are errors: a typo must not silently send
// recordings somewhere else.
func loadConfig(path string) (*fileConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg, err := parseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

func parseConfig(data []byte) (*fileConfig, error) {
	var raw rawConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	c := &fileConfig{Default: raw.Default, Destinations: map[string]destination{}}
	if c.Default == "" {
		c.Default = "local"
	}
	for name, node := range raw.Destinations {
		d, err := decodeDestination(name, &node)
		if err != nil {
			return nil, fmt.Errorf("destinations.%s: %w", name, err)
		}
		c.Destinations[name] = d
	}
	if _, ok := destinationTypes[c.Default]; !ok {
		return nil, fmt.Errorf("default: unknown destination type %q (known: %s)", c.Default, typeNames())
	}
	if _, ok := c.Destinations[c.Default]; !ok {
		if c.Default != "local" {
			return nil, fmt.Errorf("default: %q has no entry under destinations", c.Default)
		}
		c.Destinations["local"] = localDestination{Dir: "./archive"}
	}
	if raw.ManifestDestination.Kind != 0 {
		m, err := decodeManifestDestination(&raw.ManifestDestination)
		if err != nil {
			return nil, fmt.Errorf("manifest_destination: %w", err)
		}
		c.ManifestDestination = m
	}
	return c, nil
}

// decodeManifestDestination reads a mapping with a type key and the settings of that type.
func decodeManifestDestination(node *yaml.Node) (*manifestDestination, error) {
	if node.Kind != yaml.MappingNode {
		return nil, errors.New("must be a mapping with a type and that type's settings")
	}
	rest := *node
	rest.Content = nil
	typ := ""
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == "type" {
			typ = node.Content[i+1].Value
			continue
		}
		rest.Content = append(rest.Content, node.Content[i], node.Content[i+1])
	}
	if _, ok := destinationTypes[typ]; !ok {
		return nil, fmt.Errorf("type: %q is not one of %s", typ, typeNames())
	}
	d, err := decodeDestination(typ, &rest)
	if err != nil {
		return nil, err
	}
	return &manifestDestination{Type: typ, destination: d}, nil
}
