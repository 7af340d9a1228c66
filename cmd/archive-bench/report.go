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
	fmt.Println("| scenario | tool | wall s | MB/s | recordings/s | CPU s | CPU s/GB | S3 server CPU s | source CPU s | peak RSS MiB | API req/recording | downloads | throughput vs copyurl | vs copy |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		bytes := float64(r.Scenario.Size) * float64(r.Scenario.Count)
		secs := r.Wall.Seconds()
		api, downloads, vsURL, vsCopy := "-", "-", "-", "-"
		if r.Tool == toolArchive {
			api = fmt.Sprintf("%.3f", float64(r.API)/float64(r.Scenario.Count))
			downloads = fmt.Sprint(r.Downloads)
			vsURL, vsCopy = ratio(r.VsCopyURL), ratio(r.VsCopy)
		}
		fmt.Printf("| %s | %s | %.2f | %.0f | %.1f | %.2f | %.2f | %s | %.2f | %.0f | %s | %s | %s | %s |\n",
			r.Scenario.Name, r.Tool, secs, bytes/1e6/secs, float64(r.Scenario.Count)/secs,
			r.CPU.Seconds(), r.CPU.Seconds()/(bytes/1e9), serverCPU(r), r.Source.Seconds(), float64(r.MaxRSS)/(1<<20), api, downloads, vsURL, vsCopy)
	}
	fmt.Println("\nMB/s and CPU s/GB count the scenario's bytes, also on a re-run that moves none of them.")
}

func ratio(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", x)
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

// rcloneVersion is the rclone the bench compares with, as scripts/bench.sh installs it (v1.71 and v1.72
// have no copyurl --urls).
const rcloneVersion = "v1.76.0"

// lookRclone finds the pinned rclone where the bench script installs it, or else rclone on the PATH.
func lookRclone() string {
	if dir := os.Getenv("RTK_TOOLS_BIN"); dir != "" {
		p := filepath.Join(dir, "rclone-"+rcloneVersion)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("rclone"); err == nil {
		return p
	}
	return ""
}

func serverCPU(r result) string {
	if serverPID() == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", r.Server.Seconds())
}
