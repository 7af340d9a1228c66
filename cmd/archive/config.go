package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fileConfig is the --config file: where each storage_config.type goes.
type fileConfig struct {
	Default      string                       `yaml:"default"`
	Destinations map[string]destinationConfig `yaml:"destinations"`
	// ManifestDestination receives each run's manifest, so it outlives an ephemeral pod.
	ManifestDestination *manifestDestination `yaml:"manifest_destination"`
}

// manifestDestination is a destination of any type, configured like destinations.<type>.
type manifestDestination struct {
	Type              string `yaml:"type"`
	destinationConfig `yaml:",inline"`
}

// destinationConfig is one destination. Which fields apply depends on the type; fields left empty are
// filled from the recording's storage_config (see resolve). Secrets are never fields here: they come
// from the environment or from files named here.
type destinationConfig struct {
	// Object stores (aws, digitalocean, gcs, azure).
	Bucket    string `yaml:"bucket"`
	Region    string `yaml:"region"`
	Prefix    string `yaml:"prefix"`
	Endpoint  string `yaml:"endpoint"`
	PathStyle bool   `yaml:"path_style"`
	Account   string `yaml:"account"`
	Container string `yaml:"container"`

	// SFTP.
	Host           string `yaml:"host"`
	Port           int    `yaml:"port"`
	Username       string `yaml:"username"`
	PrivateKeyFile string `yaml:"private_key_file"`
	KnownHostsFile string `yaml:"known_hosts_file"`

	// SFTP and local.
	Dir string `yaml:"dir"`
}

// destinationTypes are the names a destinations entry may have: the storage_config types plus local.
var destinationTypes = []string{"aws", "digitalocean", "gcs", "azure", "sftp", "local"}

// defaultConfig is what runs without --config: everything into ./archive.
func defaultConfig() *fileConfig {
	return &fileConfig{Default: "local", Destinations: map[string]destinationConfig{"local": {Dir: "./archive"}}}
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
	cfg := &fileConfig{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

func (c *fileConfig) check() error {
	if c.Default == "" {
		c.Default = "local"
	}
	if c.Destinations == nil {
		c.Destinations = map[string]destinationConfig{}
	}
	for name := range c.Destinations {
		if !slices.Contains(destinationTypes, name) {
			return fmt.Errorf("destinations: unknown type %q (known: %s)", name, strings.Join(destinationTypes, ", "))
		}
	}
	if !slices.Contains(destinationTypes, c.Default) {
		return fmt.Errorf("default: unknown destination type %q (known: %s)", c.Default, strings.Join(destinationTypes, ", "))
	}
	if _, ok := c.Destinations[c.Default]; !ok {
		if c.Default != "local" {
			return fmt.Errorf("default: %q has no entry under destinations", c.Default)
		}
		c.Destinations["local"] = destinationConfig{Dir: "./archive"}
	}
	for name, d := range c.Destinations {
		if err := checkDestination(name, d); err != nil {
			return fmt.Errorf("destinations.%s: %w", name, err)
		}
	}
	if m := c.ManifestDestination; m != nil {
		if !slices.Contains(destinationTypes, m.Type) {
			return fmt.Errorf("manifest_destination.type: %q is not one of %s", m.Type, strings.Join(destinationTypes, ", "))
		}
		if err := checkDestination(m.Type, m.destinationConfig); err != nil {
			return fmt.Errorf("manifest_destination: %w", err)
		}
	}
	return nil
}
