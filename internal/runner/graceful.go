package runner

import (
	"context"
	"log/slog"
	"time"
)

// A first stop (SIGINT/SIGTERM: a pod being stopped) stops the start of new recordings and gives
// in-flight files the grace period; cancelling the run's context (a second signal) aborts them at
// once. Either way, writes are abandoned through the sinks' contract, so no partial object is left at a
// final key.

// graceful returns the context in-flight work runs under: it ends grace after stop closes, or with
// ctx. stopped reports whether stop closed.
func graceful(ctx context.Context, stop <-chan struct{}, grace time.Duration, log *slog.Logger) (work context.Context, stopped func() bool, cancel func()) {
	work, cancelWork := context.WithCancel(ctx)
	signalled := make(chan struct{})
	go func() {
		select {
		case <-stop:
		case <-work.Done():
			return
		}
		close(signalled)
		log.Warn("stop requested: no new recordings start; files in flight may finish within the grace period", "grace", grace)
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

// untilStop returns a context that also ends when stop closes: selecting recordings has nothing in
// flight worth a grace period, so a stop ends it at once.
func untilStop(ctx context.Context, stop <-chan struct{}) (context.Context, context.CancelFunc) {
	sctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-stop:
			cancel()
		case <-sctx.Done():
		}
	}()
	return sctx, cancel
}
