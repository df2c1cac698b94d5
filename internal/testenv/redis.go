package testenv

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Redis is a private redis-server started by a test, which the test may
// stop and restart (the shared Redis of scripts/services.sh must never be).
// It keeps its port and its data directory across restarts.
type Redis struct {
	// Addr is host:port on loopback.
	Addr string
	s    *server
}

// redisStartTimeout bounds how long a start (including loading an
// append-only file) may take.
const redisStartTimeout = 30 * time.Second

// StartRedis starts Debian's redis-server on a free loopback port with a
// temporary working directory, waits until it answers PING, and kills it
// when the test ends. By default nothing is persisted; args (e.g.
// "--appendonly", "yes", "--appendfsync", "always") come last and override.
func StartRedis(t testing.TB, args ...string) *Redis {
	t.Helper()
	return startRedis(t, 0, args...)
}

func startRedis(t testing.TB, busGap int, args ...string) *Redis {
	t.Helper()
	bin := lookPath(t, "redis-server")
	dir := t.TempDir()
	port := freePort(t, busGap)
	all := append([]string{"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""}, args...)
	r := &Redis{Addr: "127.0.0.1:" + strconv.Itoa(port),
		s: newServer(t, "redis-"+strconv.Itoa(port), dir, bin, all...)}
	r.Start()
	return r
}

// Start starts the server again after Stop or Kill and waits until it
// answers PING (with persistence on, after it has loaded its data).
func (r *Redis) Start() {
	r.s.t.Helper()
	r.s.start()
	deadline := time.Now().Add(redisStartTimeout)
	for {
		r.s.running()
		if reply, err := redisCommand(r.Addr, "PING"); err == nil && reply == "+PONG" {
			return
		}
		if time.Now().After(deadline) {
			r.s.t.Fatalf("testenv: redis on %s does not answer PING after %v", r.Addr, redisStartTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts the server down with SIGTERM (Redis then flushes its
// append-only file, if enabled) and waits for it to exit.
func (r *Redis) Stop() { r.s.stop(30 * time.Second) }

// Kill stops the server with SIGKILL.
func (r *Redis) Kill() { r.s.kill() }

// redisCommand sends one inline command and returns the first line of the
// reply (e.g. "+PONG", "-LOADING ...").
func redisCommand(addr, cmd string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// StartRedisCluster starts n redis-server nodes in cluster mode on free
// loopback ports, joins them with `redis-cli --cluster create` (no
// replicas, slots split evenly), waits until every node reports
// cluster_state:ok, and returns their addresses.
func StartRedisCluster(t testing.TB, n int) []string {
	t.Helper()
	cli := lookPath(t, "redis-cli")
	addrs := make([]string, n)
	for i := range n {
		// The cluster bus listens on port+10000.
		r := startRedis(t, 10000, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "5000")
		addrs[i] = r.Addr
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("testenv: redis-cli --cluster create: %v\n%s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, a := range addrs {
		host, port, _ := net.SplitHostPort(a)
		for {
			info, err := exec.Command(cli, "-h", host, "-p", port, "cluster", "info").Output()
			if err == nil && strings.Contains(string(info), "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("testenv: redis cluster node %s not ok after 30s: %v\n%s", a, err, info)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return addrs
}

// String names the server in test logs.
func (r *Redis) String() string {
	return fmt.Sprintf("redis %s (%s)", r.Addr, filepath.Base(r.s.logPath))
}
