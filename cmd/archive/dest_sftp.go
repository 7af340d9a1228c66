package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sftp"
)

func init() {
	drivers["sftp"] = driver{
		check: func(d destinationConfig) error {
			switch {
			case d.Host == "":
				return errors.New("host is required (set destinations.sftp.host, or use recordings whose storage_config has one)")
			case d.Username == "":
				return errors.New("username is required (set destinations.sftp.username, or use recordings whose storage_config has one)")
			case d.KnownHostsFile == "":
				return errors.New("known_hosts_file is required: the server's host key is always verified (e.g. ssh-keyscan -p PORT HOST > known_hosts, after checking the key)")
			case d.Port < 0 || d.Port > 65535:
				return fmt.Errorf("port %d is not a TCP port", d.Port)
			}
			return nil
		},
		open: func(ctx context.Context, d destinationConfig, env func(string) string) (sinks.Sink, error) {
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
		},
	}
}
