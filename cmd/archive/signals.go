package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// notifySignals turns SIGINT/SIGTERM into the run's two stops: the first closes stop (no new
// recordings start, files in flight get the grace period), the second cancels ctx (abort at once).
// release stops listening.
func notifySignals() (ctx context.Context, stop <-chan struct{}, release func()) {
	ctx, abort := context.WithCancel(context.Background())
	first := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
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
