package testenv

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
func freePort(t testing.TB, plus int) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if plus == 0 {
			l.Close()
			return port
		}
		if port+plus > 65535 {
			l.Close()
			continue
		}
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+plus))
		l.Close()
		if err != nil {
			continue
		}
		l2.Close()
		return port
	}
	t.Fatal("testenv: no free port pair found")
	return 0
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
