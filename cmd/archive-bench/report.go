package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

func printTable(results []result) {
	fmt.Println("| scenario | tool | wall s | MB/s | recordings/s | CPU s | CPU s/GB | S3 server CPU s | source CPU s | peak RSS MiB | API req/recording | throughput vs rclone |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		bytes := float64(r.Scenario.Size) * float64(r.Scenario.Count)
		secs := r.Wall.Seconds()
		api, ratio := "-", "-"
		if r.Tool == "archive" {
			api = fmt.Sprintf("%.2f", float64(r.API)/float64(r.Scenario.Count))
			if r.Ratio > 0 {
				ratio = fmt.Sprintf("%.2f", r.Ratio)
			}
		}
		fmt.Printf("| %s | %s | %.2f | %.0f | %.1f | %.2f | %.2f | %s | %.2f | %.0f | %s | %s |\n",
			r.Scenario.Name, r.Tool, secs, bytes/1e6/secs, float64(r.Scenario.Count)/secs,
			r.CPU.Seconds(), r.CPU.Seconds()/(bytes/1e9), serverCPU(r), r.Source.Seconds(), float64(r.MaxRSS)/(1<<20), api, ratio)
	}
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%d cores, %s, %s", runtime.NumCPU(), model, runtime.Version())
}

func build(ctx context.Context, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "disable_grpc_modules", "-o", out, "./cmd/archive")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// lookRclone finds rclone on the PATH or where the bench script installs it.
func lookRclone() string {
	if p, err := exec.LookPath("rclone"); err == nil {
		return p
	}
	if dir := os.Getenv("RTK_TOOLS_BIN"); dir != "" {
		p := filepath.Join(dir, "rclone")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func serverCPU(r result) string {
	if serverPID() == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", r.Server.Seconds())
}
