package testenv

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Redis is a private redis-server started by a test, which the test may
// stop and restart (the shared Redis of scripts/services.sh must never be).
// It keeps its port and its data directory across restarts.
type Redis struct {
	// Addr is host:port on loopback (the TLS port of StartRedisTLS).
	Addr string
	s    *server
	// probeTLS and probeAuth, when set, are how the readiness probe
	// connects (TLS) and logs in (AUTH arguments).
	probeTLS  *tls.Config
	probeAuth string
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
	return launchRedis(t, busGap, func(port int) []string { return []string{"--port", strconv.Itoa(port)} }, nil, args...)
}

// RedisTLS configures StartRedisTLS.
type RedisTLS struct {
	// TLS holds the server certificate and the CA client certificates
	// must be signed by. Required.
	TLS *TLSFiles
	// AuthClients is redis-server's tls-auth-clients: "yes" requires a
	// client certificate, "optional" (the default) checks one if sent, "no"
	// does not ask for one.
	AuthClients string
	// Users are ACL users, name to password, allowed every command, key and
	// channel. When set, the default user is disabled, so every connection
	// must log in as one of them. Names and passwords may only use letters,
	// digits, '.', '_' and '-'.
	Users map[string]string
}

// StartRedisTLS starts redis-server like StartRedis, but serving TLS only
// (the plain port is disabled) with o.TLS's server certificate, which is
// valid for 127.0.0.1 and localhost. Addr is the TLS port.
func StartRedisTLS(t testing.TB, o RedisTLS, args ...string) *Redis {
	t.Helper()
	if o.TLS == nil {
		t.Fatal("testenv: StartRedisTLS needs RedisTLS.TLS")
	}
	auth := o.AuthClients
	if auth == "" {
		auth = "optional"
	}
	var extra []string
	probeAuth := ""
	if len(o.Users) > 0 {
		extra = append(extra, "--user", "default", "off")
		for _, name := range sortedKeys(o.Users) {
			if !plainWord(name) || !plainWord(o.Users[name]) {
				t.Fatalf("testenv: redis user %q: names and passwords may only use [A-Za-z0-9._-]", name)
			}
			extra = append(extra, "--user", name, "on", ">"+o.Users[name], "~*", "&*", "+@all")
			if probeAuth == "" {
				probeAuth = name + " " + o.Users[name]
			}
		}
	}
	return launchRedis(t, 0, func(port int) []string {
		return []string{"--port", "0", "--tls-port", strconv.Itoa(port),
			"--tls-cert-file", o.TLS.CertFile, "--tls-key-file", o.TLS.KeyFile,
			"--tls-ca-cert-file", o.TLS.CAFile, "--tls-auth-clients", auth}
	}, &Redis{probeTLS: o.TLS.ClientConfig(), probeAuth: probeAuth}, append(extra, args...)...)
}

// launchRedis starts redis-server with portArgs(port) for a free port; r,
// if not nil, carries the readiness probe's settings.
func launchRedis(t testing.TB, busGap int, portArgs func(port int) []string, r *Redis, args ...string) *Redis {
	t.Helper()
	bin := lookPath(t, "redis-server")
	dir := t.TempDir()
	port := freePort(t, busGap)
	all := append([]string{"--bind", "127.0.0.1"}, portArgs(port)...)
	all = append(all, "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "")
	all = append(all, args...)
	if r == nil {
		r = &Redis{}
	}
	r.Addr = "127.0.0.1:" + strconv.Itoa(port)
	r.s = newServer(t, "redis-"+strconv.Itoa(port), dir, bin, all...)
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
		if reply, err := redisCommand(r.Addr, r.probeTLS, r.probeAuth, "PING"); err == nil && reply == "+PONG" {
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

// Pause freezes the server (SIGSTOP): connections stay open and commands
// hang, as with a Redis stalled by a slow disk or a long command. Resume
// undoes it; the test's cleanup resumes a paused server before killing it.
func (r *Redis) Pause() {
	r.s.signal(syscall.SIGSTOP)
	r.s.t.Cleanup(r.Resume)
}

// Resume continues a paused server (SIGCONT).
func (r *Redis) Resume() { r.s.signal(syscall.SIGCONT) }

// redisCommand sends one inline command and returns the first line of the
// reply (e.g. "+PONG", "-LOADING ..."). With tlsConf it connects over TLS;
// with auth ("user password") it logs in first and returns the AUTH error,
// if any.
func redisCommand(addr string, tlsConf *tls.Config, auth, cmd string) (string, error) {
	d := &net.Dialer{Timeout: time.Second}
	var c net.Conn
	var err error
	if tlsConf != nil {
		c, err = tls.DialWithDialer(d, "tcp", addr, tlsConf)
	} else {
		c, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	rd := bufio.NewReader(c)
	if auth != "" {
		if _, err := c.Write([]byte("AUTH " + auth + "\r\n")); err != nil {
			return "", err
		}
		line, err := rd.ReadString('\n')
		if line = strings.TrimRight(line, "\r\n"); err != nil || line != "+OK" {
			return line, err
		}
	}
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		return "", err
	}
	line, err := rd.ReadString('\n')
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
