package main

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// The loopback bench is CPU-bound on a small machine: the tool under test shares the cores with the
// S3 server and with this process, which serves the media. So a run also records what those two
// spent, and the table shows whether a tool is faster because it does less or because it makes the
// server do less.

// serverPID is the S3 server's process, as scripts/servers/s3.sh exports it; 0 when unknown.
func serverPID() int {
	pid, _ := strconv.Atoi(os.Getenv("RTK_TEST_S3_PID"))
	return pid
}

// processCPU reads a process's user+system time from /proc; 0 when it cannot.
func processCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ, fixed at 100 in the Linux user ABI
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}

// selfCPU is this process's user+system time: the fake API and the media it generates.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// watchPeakRSS polls the high-water mark of a process's resident memory (VmHWM) until the returned
// function is called, which gives the last value read. The kernel's ru_maxrss of a child cannot be
// used: Go starts children with clone(CLONE_VM|CLONE_VFORK), so until exec the child runs in this
// process's memory, and its ru_maxrss is at least this process's RSS (the bench serving thousands of
// recordings), whatever the tool itself used. VmHWM belongs to the memory the tool got at exec.
func watchPeakRSS(pid int) (stop func() int64) {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	var peak atomic.Int64
	read := func() {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if kb*1024 > peak.Load() {
					peak.Store(kb * 1024)
				}
			}
		}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		return peak.Load()
	}
}
