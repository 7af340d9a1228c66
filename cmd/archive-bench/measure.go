package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// sample is one run of one tool.
type sample struct {
	Wall   time.Duration
	CPU    time.Duration
	Server time.Duration // the S3 server's CPU during the run
	Source time.Duration // the media source's (this process's) CPU during the run
	MaxRSS int64         // bytes
	API    int           // API requests made
}

// result is the median of a tool's runs on a scenario.
type result struct {
	Scenario scenario
	Tool     string
	sample
	Ratio float64 // our throughput over rclone's, on our row
}

func measure(ctx context.Context, sc scenario, s3 s3Env, archiveBin, rclone string, runs, conc int, work string) ([]result, error) {
	now := time.Now()
	var recs []fetchtest.Recording
	for i := range sc.Count {
		recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(i), Status: "UPLOADED", OutputFileName: fmt.Sprintf("rec-%04d.mp4", i),
			MediaSize: sc.Size, Invoked: now.Add(-time.Hour).Add(-time.Duration(i) * time.Millisecond)})
	}
	api, err := fetchtest.New(recs...)
	if err != nil {
		return nil, err
	}
	defer api.Close()
	files, err := startFileServer(recs)
	if err != nil {
		return nil, err
	}
	defer files.Close()

	var ours, theirs []sample
	for r := range runs {
		bucket := fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), r)
		if err := s3.createBucket(ctx, bucket); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "%s: run %d: archive...\n", sc.Name, r+1)
		apiBefore := api.Requests(fetchtest.ListRoute) + detailRequests(api, recs)
		s, err := runArchive(ctx, archiveBin, api, s3, bucket, conc, filepath.Join(work, fmt.Sprintf("m-%d.jsonl", time.Now().UnixNano())))
		if err != nil {
			return nil, err
		}
		s.API = api.Requests(fetchtest.ListRoute) + detailRequests(api, recs) - apiBefore
		ours = append(ours, s)
		if err := s3.emptyBucket(ctx, bucket); err != nil {
			return nil, err
		}
		if rclone != "" {
			fmt.Fprintf(os.Stderr, "%s: run %d: rclone...\n", sc.Name, r+1)
			s, err := runRclone(ctx, rclone, files.URL, s3, bucket, conc)
			if err != nil {
				return nil, err
			}
			theirs = append(theirs, s)
			if err := s3.emptyBucket(ctx, bucket); err != nil {
				return nil, err
			}
		}
		s3.deleteBucket(ctx, bucket)
	}
	res := []result{{Scenario: sc, Tool: "archive", sample: median(ours)}}
	if len(theirs) > 0 {
		them := result{Scenario: sc, Tool: "rclone copy", sample: median(theirs)}
		res[0].Ratio = them.Wall.Seconds() / res[0].Wall.Seconds()
		res = append(res, them)
	}
	return res, nil
}

func detailRequests(api *fetchtest.Server, recs []fetchtest.Recording) int {
	n := 0
	for _, r := range recs {
		n += api.Requests(fetchtest.DetailRoute(r.ID))
	}
	return n
}

// median takes each figure's median on its own.
func median(ss []sample) sample {
	pick := func(get func(sample) int64) int64 {
		v := make([]int64, len(ss))
		for i, s := range ss {
			v[i] = get(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return sample{
		Wall:   time.Duration(pick(func(s sample) int64 { return int64(s.Wall) })),
		CPU:    time.Duration(pick(func(s sample) int64 { return int64(s.CPU) })),
		Server: time.Duration(pick(func(s sample) int64 { return int64(s.Server) })),
		Source: time.Duration(pick(func(s sample) int64 { return int64(s.Source) })),
		MaxRSS: pick(func(s sample) int64 { return s.MaxRSS }),
		API:    int(pick(func(s sample) int64 { return int64(s.API) })),
	}
}

// timed runs cmd and reads its wall time, CPU time and peak RSS from the kernel, and what the S3
// server and the media source spent meanwhile.
func timed(cmd *exec.Cmd) (sample, error) {
	server, source := processCPU(serverPID()), selfCPU()
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	server, source = processCPU(serverPID())-server, selfCPU()-source
	if err != nil {
		return sample{}, err
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return sample{Wall: wall, CPU: cpu, Server: server, Source: source, MaxRSS: ru.Maxrss * 1024}, nil
}

func runArchive(ctx context.Context, bin string, api *fetchtest.Server, s3 s3Env, bucket string, conc int, manifestPath string) (sample, error) {
	cfg := manifestPath + ".yaml"
	yaml := fmt.Sprintf("default: aws\ndestinations:\n  aws:\n    bucket: %s\n    region: us-east-1\n    endpoint: %s\n    path_style: true\n", bucket, s3.Endpoint)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		return sample{}, err
	}
	logFile, err := os.Create(manifestPath + ".log")
	if err != nil {
		return sample{}, err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, bin, "run", "--config", cfg, "--manifest", manifestPath, "--concurrency", fmt.Sprint(conc),
		"--api-rate", "0", "--progress", "never", "--log-format", "json", "--since", "26h")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"CLOUDFLARE_ACCOUNT_ID=" + api.AccountID, "REALTIMEKIT_APP_ID=" + api.AppID,
		"CLOUDFLARE_API_TOKEN=" + api.Token, "CLOUDFLARE_API_URL=" + api.URL,
		"ARCHIVE_ALLOW_PRIVATE_DOWNLOADS=1", // the media source is on this machine, over http
		"AWS_ACCESS_KEY_ID=" + s3.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s3.SecretKey, "AWS_REGION=us-east-1",
		"ARCHIVE_CPUPROFILE=" + os.Getenv("ARCHIVE_CPUPROFILE"), "GOMEMLIMIT=" + os.Getenv("GOMEMLIMIT"),
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	s, err := timed(cmd)
	if err != nil {
		out, _ := os.ReadFile(manifestPath + ".log")
		return sample{}, fmt.Errorf("archive run: %v\n%s", err, tail(out, 2000))
	}
	return s, nil
}

func runRclone(ctx context.Context, bin, filesURL string, s3 s3Env, bucket string, conc int) (sample, error) {
	dest := fmt.Sprintf(":s3,provider=Other,env_auth=false,access_key_id=%s,secret_access_key=%s,endpoint='%s',force_path_style=true,region=us-east-1:%s/rclone",
		s3.AccessKey, s3.SecretKey, s3.Endpoint, bucket)
	cmd := exec.CommandContext(ctx, bin, "copy", "--http-url", filesURL, ":http:", dest,
		"--transfers", fmt.Sprint(conc), "--checkers", fmt.Sprint(conc), "--config", "/dev/null", "-q")
	out, err := os.CreateTemp("", "rclone-log")
	if err != nil {
		return sample{}, err
	}
	defer os.Remove(out.Name())
	cmd.Stdout, cmd.Stderr = out, out
	s, err := timed(cmd)
	if err != nil {
		b, _ := os.ReadFile(out.Name())
		return sample{}, fmt.Errorf("rclone: %v\n%s", err, tail(b, 2000))
	}
	return s, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
