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
	Wall      time.Duration
	CPU       time.Duration
	Server    time.Duration // the S3 server's CPU during the run
	Source    time.Duration // the media source's (this process's) CPU during the run
	MaxRSS    int64         // bytes
	API       int           // API requests made: list pages and detail calls
	Downloads int           // media requests the download host got
}

// Tools, in the order of the table.
const (
	toolArchive = "archive"
	toolCopyURL = "rclone copyurl"
	toolCopy    = "rclone copy"
)

// result is the median of a tool's runs on a scenario.
type result struct {
	Scenario scenario
	Tool     string
	sample
	VsCopyURL, VsCopy float64 // our throughput over rclone's, on our row
}

// bench is what every run of a scenario shares.
type bench struct {
	sc         scenario
	s3         s3Env
	api        *fetchtest.Server
	recs       []fetchtest.Recording
	files      *fileServer
	urls       string // rclone copyurl's CSV of presigned URLs and names
	archiveBin string
	rclone     string
	conc       int
	work       string
}

func measure(ctx context.Context, sc scenario, s3 s3Env, archiveBin, rclone string, runs, conc int, work string) ([]result, error) {
	now := time.Now()
	b := &bench{sc: sc, s3: s3, archiveBin: archiveBin, rclone: rclone, conc: conc, work: work}
	for i := range sc.Count {
		b.recs = append(b.recs, fetchtest.Recording{ID: fetchtest.UUID(i), Status: "UPLOADED", OutputFileName: fmt.Sprintf("rec-%04d.mp4", i),
			MediaSize: sc.Size, Invoked: now.Add(-time.Hour).Add(-time.Duration(i) * time.Millisecond)})
	}
	var err error
	if b.api, err = fetchtest.New(b.recs...); err != nil {
		return nil, err
	}
	defer b.api.Close()
	if b.files, err = startFileServer(b.recs); err != nil {
		return nil, err
	}
	defer b.files.Close()

	tools := []string{toolArchive}
	switch {
	case rclone == "":
	case sc.Rerun:
		// copyurl has no re-run worth measuring: --no-clobber downloads each URL before it looks at
		// the destination, then fails the file ("already exist") and the command with it.
		tools = append(tools, toolCopy)
	default:
		if b.urls, err = writeURLList(ctx, b.api, filepath.Join(work, fmt.Sprintf("urls-%d.csv", time.Now().UnixNano()))); err != nil {
			return nil, err
		}
		tools = append(tools, toolCopyURL, toolCopy)
	}
	samples := map[string][]sample{}
	for r := range runs {
		// Alternate which tool goes first, so a slow spell of the machine (another job on the two
		// cores) does not always hit the same tool.
		for k := range tools {
			tool := tools[(r+k)%len(tools)]
			fmt.Fprintf(os.Stderr, "%s: run %d: %s...\n", sc.Name, r+1, tool)
			s, err := b.once(ctx, tool, r)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", tool, err)
			}
			samples[tool] = append(samples[tool], s)
		}
	}
	res := make([]result, len(tools))
	for i, tool := range tools {
		res[i] = result{Scenario: sc, Tool: tool, sample: median(samples[tool])}
	}
	vs := func(tool string) float64 {
		if i := slices.Index(tools, tool); i > 0 {
			return res[i].Wall.Seconds() / res[0].Wall.Seconds()
		}
		return 0
	}
	res[0].VsCopyURL, res[0].VsCopy = vs(toolCopyURL), vs(toolCopy)
	return res, nil
}

// once runs one tool into a bucket of its own. For a re-run scenario the tool first archives
// everything unmeasured, then the measured run goes over the same bucket (and, for archive, the same
// manifest) again.
func (b *bench) once(ctx context.Context, tool string, r int) (sample, error) {
	bucket := fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), r)
	if err := b.s3.createBucket(ctx, bucket); err != nil {
		return sample{}, err
	}
	defer b.s3.deleteBucket(ctx, bucket)
	defer b.s3.emptyBucket(ctx, bucket)
	manifest := filepath.Join(b.work, fmt.Sprintf("m-%d.jsonl", time.Now().UnixNano()))
	run := func() (sample, error) {
		switch tool {
		case toolArchive:
			return b.archive(ctx, bucket, manifest)
		case toolCopyURL:
			return runCopyURL(ctx, b.rclone, b.urls, b.s3, bucket, b.conc)
		default:
			return runRclone(ctx, b.rclone, b.files.URL, b.s3, bucket, b.conc)
		}
	}
	if b.sc.Rerun {
		if _, err := run(); err != nil {
			return sample{}, fmt.Errorf("first run: %w", err)
		}
	}
	return run()
}

// archive runs the archiver and counts what it asked of the API and the download host.
func (b *bench) archive(ctx context.Context, bucket, manifest string) (sample, error) {
	api, downloads := b.apiRequests(), b.downloads()
	s, err := runArchive(ctx, b.archiveBin, b.api, b.s3, bucket, b.conc, manifest)
	if err != nil {
		return sample{}, err
	}
	s.API, s.Downloads = b.apiRequests()-api, b.downloads()-downloads
	return s, nil
}

func (b *bench) apiRequests() int {
	n := b.api.Requests(fetchtest.ListRoute)
	for _, r := range b.recs {
		n += b.api.Requests(fetchtest.DetailRoute(r.ID))
	}
	return n
}

func (b *bench) downloads() int {
	n := 0
	for _, r := range b.recs {
		n += b.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile))
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
		Wall:      time.Duration(pick(func(s sample) int64 { return int64(s.Wall) })),
		CPU:       time.Duration(pick(func(s sample) int64 { return int64(s.CPU) })),
		Server:    time.Duration(pick(func(s sample) int64 { return int64(s.Server) })),
		Source:    time.Duration(pick(func(s sample) int64 { return int64(s.Source) })),
		MaxRSS:    pick(func(s sample) int64 { return s.MaxRSS }),
		API:       int(pick(func(s sample) int64 { return int64(s.API) })),
		Downloads: int(pick(func(s sample) int64 { return int64(s.Downloads) })),
	}
}

// timed runs cmd and reads its wall time, CPU time and peak RSS from the kernel, and what the S3
// server and the media source spent meanwhile.
func timed(cmd *exec.Cmd) (sample, error) {
	server, source := processCPU(serverPID()), selfCPU()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err := cmd.Wait()
	wall := time.Since(start)
	maxRSS := peak()
	server, source = processCPU(serverPID())-server, selfCPU()-source
	if err != nil {
		return sample{}, err
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if maxRSS == 0 {
		maxRSS = ru.Maxrss * 1024 // no /proc: an upper bound, see watchPeakRSS
	}
	return sample{Wall: wall, CPU: cpu, Server: server, Source: source, MaxRSS: maxRSS}, nil
}

// runArchive runs `archive run` as a nightly job would: the listing selects the recordings, the API is
// paced at the defaults, and only the bench's 127.0.0.1 download host needs an opt-in.
func runArchive(ctx context.Context, bin string, api *fetchtest.Server, s3 s3Env, bucket string, conc int, manifestPath string) (sample, error) {
	cfg := manifestPath + ".yaml"
	yaml := fmt.Sprintf("default: aws\ndestinations:\n  aws:\n    bucket: %s\n    region: us-east-1\n    endpoint: %s\n    path_style: true\n", bucket, s3.Endpoint)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		return sample{}, err
	}
	logPath := fmt.Sprintf("%s.%d.log", manifestPath, time.Now().UnixNano())
	logFile, err := os.Create(logPath)
	if err != nil {
		return sample{}, err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, bin, "run", "--config", cfg, "--manifest", manifestPath, "--concurrency", fmt.Sprint(conc),
		"--progress", "never", "--log-format", "json", "--since", "26h")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"CLOUDFLARE_ACCOUNT_ID=" + api.AccountID, "REALTIMEKIT_APP_ID=" + api.AppID,
		"CLOUDFLARE_API_TOKEN=" + api.Token, "CLOUDFLARE_API_URL=" + api.URL,
		"ARCHIVE_ALLOW_PRIVATE_DOWNLOADS=1", // the media source is on this machine, over http
		"AWS_ACCESS_KEY_ID=" + s3.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s3.SecretKey, "AWS_REGION=us-east-1",
		"ARCHIVE_CPUPROFILE=" + os.Getenv("ARCHIVE_CPUPROFILE"), "GOMEMLIMIT=" + os.Getenv("GOMEMLIMIT"), "GOGC=" + os.Getenv("GOGC"), "GODEBUG=" + os.Getenv("GODEBUG"),
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	s, err := timed(cmd)
	if err != nil {
		out, _ := os.ReadFile(logPath)
		return sample{}, fmt.Errorf("archive run: %v\n%s", err, tail(out, 2000))
	}
	return s, nil
}

// rcloneDest is the bucket as an rclone on-the-fly remote.
func rcloneDest(s3 s3Env, bucket string) string {
	return fmt.Sprintf(":s3,provider=Other,env_auth=false,access_key_id=%s,secret_access_key=%s,endpoint='%s',force_path_style=true,region=us-east-1:%s/rclone",
		s3.AccessKey, s3.SecretKey, s3.Endpoint, bucket)
}

// runRclone copies the HTTP folder serving the same bytes: rclone lists the folder, then copies.
func runRclone(ctx context.Context, bin, filesURL string, s3 s3Env, bucket string, conc int) (sample, error) {
	return rcloneRun(exec.CommandContext(ctx, bin, "copy", "--http-url", filesURL, ":http:", rcloneDest(s3, bucket),
		"--transfers", fmt.Sprint(conc), "--checkers", fmt.Sprint(conc), "--config", "/dev/null", "-q"))
}

// runCopyURL copies the presigned URLs themselves, as the archiver does.
func runCopyURL(ctx context.Context, bin, urls string, s3 s3Env, bucket string, conc int) (sample, error) {
	return rcloneRun(exec.CommandContext(ctx, bin, "copyurl", "--urls", urls, rcloneDest(s3, bucket),
		"--transfers", fmt.Sprint(conc), "--config", "/dev/null", "-q"))
}

func rcloneRun(cmd *exec.Cmd) (sample, error) {
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
