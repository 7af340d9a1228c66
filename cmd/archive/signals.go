package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals end a run: SIGINT at a terminal, SIGTERM from a pod being stopped, SIGHUP from a
// terminal or an ssh session going away. All three mean the same: stop cleanly.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// notifySignals turns the stop signals into the run's two stops: the first closes stop (no new
// recordings start, files in flight get the grace period), the second cancels ctx (abort at once).
// release stops listening.
//
// SIGPIPE is taken too and dropped: without it a write to a stdout or stderr whose reader went away
// (`archive run | head`, a log shipper restarting) ends the process at once, leaving temporary files
// and no sidecar. Taken, such a write returns EPIPE, and droppingWriter drops the logs.
func notifySignals() (ctx context.Context, stop <-chan struct{}, release func()) {
	ctx, abort := context.WithCancel(context.Background())
	pipes := make(chan os.Signal, 1)
	signal.Notify(pipes, syscall.SIGPIPE)
	first := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, stopSignals...)
	go func() {
		select {
		case <-sigs:
			close(first)
		case <-ctx.Done():
			return
		}
		select {
		case <-sigs:
			abort()
		case <-ctx.Done():
		}
	}()
	return ctx, first, func() { signal.Stop(sigs); abort() }
}

// endedBy returns a context that also ends when stop closes (already ended when it was closed before).
func endedBy(ctx context.Context, stop <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	select {
	case <-stop:
		cancel()
		return ctx, cancel
	default:
	}
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
