package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sftp"
)

// sftpDestination is destinations.sftp: a folder on an SSH server.
type sftpDestination struct {
	Host           string `yaml:"host"`
	Port           int    `yaml:"port"`
	Username       string `yaml:"username"`
	Dir            string `yaml:"dir"`
	Prefix         string `yaml:"prefix"`
	PrivateKeyFile string `yaml:"private_key_file"`
	KnownHostsFile string `yaml:"known_hosts_file"`
}

func (d sftpDestination) complete(sc *fetch.StorageConfig) destination {
	if sc != nil {
		fill(&d.Host, sc.Host)
		fill(&d.Username, sc.Username)
		fill(&d.Prefix, storagePrefix(sc))
		if d.Port == 0 {
			d.Port = sc.Port
		}
	}
	return d
}

func (d sftpDestination) check(final bool) error {
	switch {
	case final && d.Host == "":
		return errors.New("host is required (set destinations.sftp.host, or use recordings whose storage_config has one)")
	case final && d.Username == "":
		return errors.New("username is required (set destinations.sftp.username, or use recordings whose storage_config has one)")
	case d.KnownHostsFile == "":
		return errors.New("known_hosts_file is required: the server's host key is always verified (e.g. ssh-keyscan -p PORT HOST > known_hosts, after checking the key)")
	case d.Port < 0 || d.Port > 65535:
		return fmt.Errorf("port %d is not a TCP port", d.Port)
	}
	return nil
}

func (d sftpDestination) open(ctx context.Context, env func(string) string) (sinks.Sink, error) {
	cfg := sftp.Config{
		Host:           d.Host,
		Port:           d.Port,
		Username:       d.Username,
		Dir:            d.Dir,
		PrivateKeyFile: d.PrivateKeyFile,
		KeyPassphrase:  env("SFTP_KEY_PASSPHRASE"),
		Password:       env("SFTP_PASSWORD"),
		KnownHostsFile: d.KnownHostsFile,
	}
	if cfg.Dir == "" {
		cfg.Dir = "." // the login folder
	}
	if cfg.PrivateKeyFile == "" && cfg.Password == "" {
		return nil, errors.New("no credentials: set private_key_file, or the password in SFTP_PASSWORD")
	}
	return sftp.New(ctx, cfg)
}

func (d sftpDestination) keyPrefix() string { return d.Prefix }

func (d sftpDestination) sinkID() destination { d.Prefix = ""; return d }

// locate reads the server and user of sftp://user@host:port/abs/path; the folder stays dir.
func (d sftpDestination) locate(u *url.URL) destination {
	fill(&d.Host, u.Hostname())
	fill(&d.Username, u.User.Username())
	if d.Port == 0 {
		d.Port, _ = strconv.Atoi(u.Port())
	}
	return d
}
