// Command archive-bench measures the archive command against the S3 server the tests use, side by side
// with rclone when it is on the PATH. It is a measurement, not a test: it prints figures and never
// fails on them. Run it through scripts/bench.sh, which starts the servers.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
)

// scenario is one workload of the benchmark.
type scenario struct {
	Name  string
	Count int
	Size  int64
	// Rerun: each tool first copies everything unmeasured, then the measured run goes over the same
	// destination (and for the archiver the same manifest): what a nightly job costs when nothing is new.
	Rerun bool
}

var scenarios = []scenario{
	{"100 x 10 MiB", 100, 10 << 20, false},
	{"1 x 2 GiB", 1, 2 << 30, false},
	{"2000 x 64 KiB", 2000, 64 << 10, false},
	{"2000 x 64 KiB, re-run", 2000, 64 << 10, true},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "archive-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("archive-bench", flag.ContinueOnError)
	runs := fs.Int("runs", 3, "runs of each tool per scenario (alternating); medians are reported")
	archiveBin := fs.String("archive", "", "archive binary (default: build ./cmd/archive)")
	rclone := fs.String("rclone", "", "rclone binary (default: rclone on the PATH; none: skip)")
	only := fs.String("only", "", "comma-separated scenario numbers to run (1, 2, 3, 4); default all")
	concurrency := fs.Int("concurrency", 8, "recordings (and rclone transfers) in flight")
	keep := fs.Bool("keep", false, "keep the work folder (the archiver's logs and manifests) and print its name")
	scale := fs.String("scale", "", "run the scale cases instead, comma-separated: window (b), window-rerun and window-unpaced (parts of it), shards (c); they need no S3 server")
	history := fs.String("history", "", "run the history case instead (a year of manifest, nothing new: history.go), e.g. 1000x365,10000x365; needs no S3 server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scale != "" {
		return scaleBench(ctx, *scale, *archiveBin, *keep)
	}
	if *history != "" {
		return historyBench(ctx, *history, *archiveBin, *keep)
	}
	s3, err := s3FromEnv()
	if err != nil {
		return err
	}
	work, bin, done, err := workFolder(ctx, "archive-bench", *archiveBin, *keep)
	if err != nil {
		return err
	}
	defer done()
	*archiveBin = bin
	switch *rclone {
	case "":
		*rclone = lookRclone()
	case "none":
		*rclone = ""
	}
	fmt.Printf("machine: %s\n", machine())
	fmt.Printf("archive: %s, concurrency %d; rclone: %s; %d alternating runs, medians\n\n", *archiveBin, *concurrency, orNone(*rclone), *runs)

	var results []result
	for i, sc := range scenarios {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), fmt.Sprint(i+1)) {
			continue
		}
		res, err := measure(ctx, sc, s3, *archiveBin, *rclone, *runs, *concurrency, work)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.Name, err)
		}
		results = append(results, res...)
	}
	printTable(results)
	return nil
}

// scaleBench runs the scale cases (scale.go) with their own work folder.
func scaleBench(ctx context.Context, names, archiveBin string, keep bool) error {
	work, bin, done, err := workFolder(ctx, "archive-bench-scale", archiveBin, keep)
	if err != nil {
		return err
	}
	defer done()
	archiveBin = bin
	data := work
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		// The destination and the manifest on tmpfs: these cases measure memory, time and calls, not how
		// fast this machine's disk syncs a hundred thousand small files.
		if data, err = os.MkdirTemp("/dev/shm", "archive-bench-scale"); err != nil {
			return err
		}
		defer os.RemoveAll(data)
	}
	fmt.Printf("machine: %s; destination and manifest in %s\n\n", machine(), data)
	return runScale(ctx, names, archiveBin, data)
}

// workFolder makes the bench's work folder, which done removes (or, with keep, names), and builds the
// archive binary into it unless archiveBin names one.
func workFolder(ctx context.Context, prefix, archiveBin string, keep bool) (work, bin string, done func(), err error) {
	work, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", nil, err
	}
	done = func() {
		if keep {
			fmt.Fprintln(os.Stderr, "archive-bench: kept", work)
		} else {
			os.RemoveAll(work)
		}
	}
	bin = archiveBin
	if bin == "" {
		bin = filepath.Join(work, "archive")
		if err := build(ctx, bin); err != nil {
			done()
			return "", "", nil, err
		}
	}
	return work, bin, done, nil
}

func orNone(s string) string {
	if s == "" {
		return "not found (skipped)"
	}
	return s
}
