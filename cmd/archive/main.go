// Command archive copies Cloudflare RealtimeKit recordings into storage the customer owns, before
// RealtimeKit's own copy expires, and writes a checksummed manifest of what it archived.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/runner"
	"github.com/rtk-archive/rtk-archive/internal/termsafe"
)

func main() {
	ctx, stop, release := notifySignals()
	stopProfile := startProfile(os.Getenv)
	stdout, stderr := &droppingWriter{w: os.Stdout}, newQueuedWriter(os.Stderr, logQueue)
	err := run(ctx, stop, os.Args[1:], os.Getenv, os.Stdin, stdout, stderr)
	stopProfile()
	release()
	code := exitCode(err, stderr)
	stderr.Close(logDrain)
	os.Exit(code)
}

// logQueue is how many log writes may wait for a slow stderr before more are dropped (a few MB at
// most); logDrain is how long the last of them may take to go out at exit.
const (
	logQueue = 8192
	logDrain = 3 * time.Second
)

// exitCode turns run's error into the contract's exit status, printing it once.
func exitCode(err error, stderr io.Writer) int {
	var usage *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &usage):
		fmt.Fprintln(stderr, "archive:", termsafe.Lines(err.Error()))
		return 2
	case errors.Is(err, errInterrupted):
		fmt.Fprintln(stderr, "archive:", termsafe.Lines(err.Error()))
		return 130
	case errors.Is(err, errSomeFailed):
		fmt.Fprintln(stderr, "archive:", termsafe.Lines(err.Error()))
		return 1
	default:
		fmt.Fprintln(stderr, "archive:", termsafe.Lines(err.Error()))
		return 1
	}
}

var (
	errHelp        = errors.New("help requested")
	errInterrupted = runner.ErrInterrupted // exit 130, from a run or from verify
	errSomeFailed  = errors.New("some recordings failed")
)

// usageError is bad usage or configuration: exit 2, nothing done.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return &usageError{fmt.Errorf(format, args...)} }

// run dispatches a command. Nothing below it calls os.Exit. stop is closed by a first SIGINT/SIGTERM/SIGHUP
// (a graceful stop); ctx ends with a second one (abort at once).
func run(ctx context.Context, stop <-chan struct{}, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return usagef("no command given")
	}
	switch args[0] {
	case "version", "--version":
		printVersion(stdout)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, topUsage)
		return nil
	case "run":
		return runCommand(ctx, stop, args[1:], getenv, stdin, stdout, stderr)
	case "verify":
		// A check has nothing in flight worth a grace period: the first signal ends it.
		ctx, cancel := endedBy(ctx, stop)
		defer cancel()
		return verifyCommand(ctx, args[1:], getenv, stdout, stderr)
	case "demo":
		return demoCommand(ctx, stop, args[1:], getenv, stdout, stderr)
	}
	return usagef("unknown command %q (commands: run, verify, demo, version)", args[0])
}

const topUsage = `Usage: archive <command> [flags]

Commands:
  run      archive recordings (the main job)
  verify   re-read what a manifest lists and check size and SHA-256 at the destination
  demo     run the whole job against a built-in simulated RealtimeKit API into a local folder
  version  print the version, the commit and the Go version it was built from

Run 'archive <command> --help' for the flags of a command.
`
