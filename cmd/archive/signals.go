package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// A first SIGINT/SIGTERM (a pod being stopped) stops the start of new recordings and gives in-flight
// files the grace period; a second one aborts them at once. Either way, writes are abandoned through the
// sinks' contract, so no partial object is left at a final key.

type stopKey struct{}

// notifySignals returns a context cancelled by the second signal, carrying a channel closed by the first.
func notifySignals() (context.Context, func()) {
	ctx, abort := context.WithCancel(context.Background())
	stop := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
			close(stop)
		case <-ctx.Done():
			return
		}
		select {
		case <-sigs:
			abort()
		case <-ctx.Done():
		}
	}()
	return context.WithValue(ctx, stopKey{}, (<-chan struct{})(stop)), func() { signal.Stop(sigs); abort() }
}

// stopChannel is the first-signal channel of ctx; nil (never ready) outside main.
func stopChannel(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(stopKey{}).(<-chan struct{})
	return ch
}

// graceful returns the context in-flight work runs under: it ends grace after the first signal, or at
// once with the second. stopped reports whether a signal came.
func graceful(ctx context.Context, grace time.Duration, log *slog.Logger) (work context.Context, stopped func() bool, cancel func()) {
	work, cancelWork := context.WithCancel(ctx)
	stop := stopChannel(ctx)
	signalled := make(chan struct{})
	go func() {
		select {
		case <-stop:
		case <-work.Done():
			return
		}
		close(signalled)
		log.Warn("signal received: no new recordings start; files in flight may finish within the grace period", "grace", grace)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			log.Warn("grace period over: aborting the files in flight")
			cancelWork()
		case <-work.Done():
		}
	}()
	stopped = func() bool {
		select {
		case <-signalled:
			return true
		default:
			return false
		}
	}
	return work, stopped, cancelWork
}
