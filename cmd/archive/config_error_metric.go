package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
)

// pushConfigError tells the Pushgateway that a run stopped on bad usage or configuration (exit 2):
// rtk_archive_config_error_timestamp_seconds in its own group {job, shard, last="config_error"}.
// Such a run has no outcome to report, and replacing the last run's group would erase what the
// alerts need from it (at risk, the earliest expiry); the alert compares this time with the last
// run's end instead, so it resolves with the next run that gets going.
func pushConfigError(ctx context.Context, gateway string, sh shard, at time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_config_error_timestamp_seconds",
		Help: "When the last run that stopped on bad usage or configuration (exit 2) did."})
	g.Set(float64(at.Unix()))
	reg.MustRegister(g)
	p := push.New(gateway, metricsJob).Grouping("shard", shardLabel(sh)).Grouping("last", "config_error").Gatherer(reg)
	if err := p.PushContext(ctx); err != nil {
		return fmt.Errorf("pushing metrics to %s: %w", gateway, err)
	}
	return nil
}
