package testenv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is a private server process a test starts, stops and restarts with
// the same command line, so it keeps its port and its data directory.
type server struct {
	t       testing.TB
	name    string
	bin     string
	args    []string
	logPath string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan error
	logf   *os.File
}

func newServer(t testing.TB, name, dir, bin string, args ...string) *server {
	t.Helper()
	s := &server{t: t, name: name, bin: bin, args: args, logPath: filepath.Join(dir, name+".log")}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			tailLog(t, s.logPath)
		}
	})
	return s
}

// start launches the process; the caller waits for it to serve.
func (s *server) start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.t.Fatalf("testenv: %s is already running", s.name)
	}
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		s.t.Fatalf("testenv: start %s: %v", s.name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s.cmd, s.exited, s.logf = cmd, exited, logf
}

// running fails the test if the process has exited.
func (s *server) running() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		s.t.Fatalf("testenv: %s is not running", s.name)
	}
	select {
	case err := <-s.exited:
		s.exited <- err
		s.t.Fatalf("testenv: %s exited: %v", s.name, err)
	default:
	}
}

// stop sends SIGTERM and waits up to grace for the exit, then SIGKILLs.
func (s *server) stop(grace time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(grace):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.logf.Close()
	s.cmd = nil
}

// kill SIGKILLs the process, if it runs.
func (s *server) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.logf.Close()
	s.cmd = nil
}

// signal sends sig to the process, if it runs.
func (s *server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(sig)
	}
}

// log returns the process's output so far.
func (s *server) log() []byte {
	b, _ := os.ReadFile(s.logPath)
	return b
}

func tailLog(t testing.TB, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	t.Logf("last lines of %s:\n%s", filepath.Base(path), bytes.Join(lines, []byte("\n")))
}

// freePort returns a loopback port that was free a moment ago. With
// plus > 0, port+plus must be free as well (Redis Cluster's bus port).
//
// The port is drawn from below the kernel's ephemeral range: a server that
// is stopped and started again on the same port must not find it taken by
// some other test's outgoing connection in between, which a port the kernel
// handed out from that range can be.
func freePort(t testing.TB, plus int) int {
	t.Helper()
	lo, hi := fixedPortRange()
	for range 200 {
		port := lo + rand.IntN(hi-lo)
		if portFree(port) && (plus == 0 || (port+plus <= 65535 && portFree(port+plus))) {
			return port
		}
	}
	t.Fatal("testenv: no free port found")
	return 0
}

// fixedPortRange is the range freePort draws from: from 20000 up to the
// start of the ephemeral range, or above its end when that leaves too few.
func fixedPortRange() (lo, hi int) {
	elo, ehi := 32768, 60999
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			a, err1 := strconv.Atoi(f[0])
			z, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil && a <= z {
				elo, ehi = a, z
			}
		}
	}
	if elo-20000 >= 2000 {
		return 20000, elo
	}
	if 65000-ehi >= 2000 {
		return ehi + 1, 65000
	}
	return 20000, 30000 // nothing left outside; take our chances
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// lookPath finds a command the helpers need, or skips (fails when services
// are required).
func lookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		unavailable(t, fmt.Sprintf("integration: %s not found (scripts/services.sh install)", name))
		return ""
	}
	return p
}
