// Package deploy holds no code: its tests check the deployment files in
// this directory (Dockerfile, docker-compose.yml, Prometheus, Alertmanager
// and Grafana configuration, Kubernetes manifests) against what the binary
// really uses, since no Docker engine or cluster runs in CI: ports,
// environment variables, config keys, probe paths and metric names.
package deploy

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/zap/zaptest"
	"go.yaml.in/yaml/v3"

	"github.com/socialpulse/socialpulse/app"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/dashboards"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

// pendingMetrics are metric names the dashboards and rules use that the
// processor's registry does not have yet. Any other unknown name fails the
// test.
var pendingMetrics = []string{}

// nonConfigEnv are SOCIALPULSE_* variables read by commands rather than by
// the config loader.
var nonConfigEnv = map[string]string{
	"SOCIALPULSE_CONFIG":        "run: the config file",
	"SOCIALPULSE_GRAFANA_TOKEN": "dashboards push: the Grafana token",
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func portOf(t *testing.T, hostport string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatalf("%q: %v", hostport, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("%q: %v", hostport, err)
	}
	return n
}

// k8sConfig is the processor config shipped in the Kubernetes ConfigMap,
// loaded by the real loader; its http.listen port is the port every file
// here must agree on.
func k8sConfig(t *testing.T) config.Config {
	t.Helper()
	// The taxonomy path is where the ConfigMap is mounted in the pod; point
	// the loader at the file in this directory instead.
	cfg, err := config.Load("kubernetes/config.yaml", []string{
		"SOCIALPULSE_TAXONOMY_FILE=" + filepath.Join("kubernetes", "taxonomy.yaml"),
		"SOCIALPULSE_REDIS_PASSWORD=", "SOCIALPULSE_KAFKA_SASL_PASSWORD=",
	})
	if err != nil {
		t.Fatalf("kubernetes/config.yaml does not load: %v", err)
	}
	return cfg
}

func httpPort(t *testing.T) int {
	t.Helper()
	return portOf(t, k8sConfig(t).HTTP.Listen)
}

// ---------------------------------------------------------------- Dockerfile

type dockerInstr struct {
	line int
	cmd  string // upper case
	args string
}

func parseDockerfile(t *testing.T, path string) []dockerInstr {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []dockerInstr
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstr{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func goVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	return string(m[1])
}

func TestDockerfile(t *testing.T) {
	port := httpPort(t)
	ins := parseDockerfile(t, "Dockerfile")
	var froms []dockerInstr
	for _, in := range ins {
		if in.cmd == "FROM" {
			froms = append(froms, in)
		}
	}
	if len(froms) < 2 {
		t.Fatalf("%d FROM lines: want a multi-stage build", len(froms))
	}
	if want := "golang:" + goVersion(t); !strings.HasPrefix(froms[0].args, want) {
		t.Errorf("build stage %q: want %s (go.mod's go version)", froms[0].args, want)
	}
	final := strings.Fields(froms[len(froms)-1].args)[0]
	if !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final stage %s: want distroless/static or scratch", final)
	}
	var built, copied, entry, user string
	var exposed []int
	for i, in := range ins {
		last := i > 0 && slices.Index(ins[i:], froms[len(froms)-1]) < 0 // in the final stage
		switch in.cmd {
		case "RUN":
			if strings.Contains(in.args, "go build") {
				built = in.args
			}
		case "COPY":
			if last && strings.Contains(in.args, "--from=") {
				f := strings.Fields(in.args)
				copied = f[len(f)-1]
			}
		case "ENTRYPOINT":
			entry = in.args
		case "USER":
			user = in.args
		case "EXPOSE":
			for _, p := range strings.Fields(in.args) {
				n, err := strconv.Atoi(strings.TrimSuffix(p, "/tcp"))
				if err != nil {
					t.Errorf("line %d: EXPOSE %s", in.line, p)
				}
				exposed = append(exposed, n)
			}
		case "ENV":
			for _, name := range regexp.MustCompile(`SOCIALPULSE_\w+`).FindAllString(in.args, -1) {
				checkEnvName(t, "Dockerfile", name)
			}
		}
	}
	if !strings.Contains(built, "CGO_ENABLED=0") || !strings.Contains(built, "./cmd/socialpulse") {
		t.Errorf("build step %q: want a CGO_ENABLED=0 build of ./cmd/socialpulse", built)
	}
	if final == "scratch" && !strings.Contains(fmt.Sprint(ins), "ca-certificates") {
		t.Error("scratch image without CA certificates: TLS to Kafka and Redis would fail")
	}
	if copied == "" || !strings.Contains(entry, copied) {
		t.Errorf("ENTRYPOINT %s does not run the copied binary %s", entry, copied)
	}
	uid, _, _ := strings.Cut(user, ":")
	if uid == "" || uid == "root" || uid == "0" {
		t.Errorf("USER %q: want a non-root user", user)
	}
	if !slices.Contains(exposed, port) {
		t.Errorf("EXPOSE %v lacks the HTTP port %d", exposed, port)
	}
}

// ---------------------------------------------------------------- env names

func checkEnvName(t *testing.T, where, name string) {
	t.Helper()
	if _, ok := nonConfigEnv[name]; ok {
		return
	}
	if !slices.Contains(config.EnvNames(), name) {
		t.Errorf("%s: %s names no config option", where, name)
	}
}

// TestEnvNamesExist scans every file here for SOCIALPULSE_* names.
func TestEnvNamesExist(t *testing.T) {
	re := regexp.MustCompile(`SOCIALPULSE_[A-Z0-9_]*[A-Z0-9]`)
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") || path == "config.example.yaml" || strings.HasSuffix(path, ".jsonl") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, name := range re.FindAllString(string(data), -1) {
			checkEnvName(t, path, name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ---------------------------------------------------------------- compose

type composeService struct {
	Image       string            `yaml:"image"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	DependsOn   yaml.Node         `yaml:"depends_on"` // a list or a map
	Build       *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
}

type compose struct {
	Services map[string]composeService `yaml:"services"`
}

// mount returns the host side of the volume mounted at target.
func (s composeService) mount(target string) string {
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[1] == target {
			return parts[0]
		}
	}
	return ""
}

// The local stack uses a documented admin token and Grafana's admin/admin:
// every port it publishes is bound to the loopback interface only.
func TestComposePublishesPortsOnLoopbackOnly(t *testing.T) {
	var c compose
	readYAML(t, "docker-compose.yml", &c)
	n := 0
	for name, s := range c.Services {
		for _, p := range s.Ports {
			n++
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("service %s publishes %q on every interface, want 127.0.0.1:HOST:CONTAINER", name, p)
			}
		}
	}
	if n == 0 {
		t.Fatal("no published ports found")
	}
}

func TestCompose(t *testing.T) {
	port := httpPort(t)
	var c compose
	readYAML(t, "docker-compose.yml", &c)

	kafka, ok := c.Services["kafka"]
	if !ok {
		t.Fatal("no kafka service")
	}
	if !regexp.MustCompile(`^apache/kafka:4\.`).MatchString(kafka.Image) {
		t.Errorf("kafka image %s: want apache/kafka:4.x", kafka.Image)
	}
	if roles := kafka.Environment["KAFKA_PROCESS_ROLES"]; !strings.Contains(roles, "broker") || !strings.Contains(roles, "controller") {
		t.Errorf("KAFKA_PROCESS_ROLES %q: want a KRaft broker and controller", roles)
	}
	advertised := strings.TrimPrefix(kafka.Environment["KAFKA_ADVERTISED_LISTENERS"], "PLAINTEXT://")

	// Processors: services that run "run", configured by environment only.
	var processors []string
	for name, s := range c.Services {
		for k := range s.Environment {
			if strings.HasPrefix(k, config.EnvPrefix) {
				checkEnvName(t, "docker-compose.yml "+name, k)
			}
		}
		for _, v := range s.Volumes {
			if host := strings.Split(v, ":")[0]; strings.HasPrefix(host, ".") {
				if _, err := os.Stat(host); err != nil {
					t.Errorf("service %s mounts %s: %v", name, host, err)
				}
			}
		}
		if s.Build != nil {
			if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
				t.Errorf("service %s builds from %v: %v", name, *s.Build, err)
			}
		}
		if len(s.Command) == 0 || s.Command[0] != "run" {
			continue
		}
		processors = append(processors, name)
		var environ []string
		for k, v := range s.Environment {
			environ = append(environ, k+"="+v)
		}
		cfg, err := config.Load("", environ)
		if err != nil {
			t.Errorf("processor %s: its environment does not load: %v", name, err)
			continue
		}
		if got := portOf(t, cfg.HTTP.Listen); got != port {
			t.Errorf("processor %s listens on %d, want %d", name, got, port)
		}
		if host, _, _ := net.SplitHostPort(cfg.HTTP.Listen); host == "127.0.0.1" || host == "localhost" {
			t.Errorf("processor %s listens on loopback only: Prometheus cannot scrape it", name)
		}
		if !slices.Equal(cfg.Kafka.Brokers, []string{advertised}) {
			t.Errorf("processor %s: brokers %v, want the advertised listener %s", name, cfg.Kafka.Brokers, advertised)
		}
		for _, a := range cfg.Redis.Addrs {
			host, _, _ := net.SplitHostPort(a)
			if _, ok := c.Services[host]; !ok {
				t.Errorf("processor %s: redis address %s names no service", name, a)
			}
		}
		for _, p := range s.Ports {
			if container := p[strings.LastIndex(p, ":")+1:]; container != strconv.Itoa(port) {
				t.Errorf("processor %s publishes %s, want container port %d", name, p, port)
			}
		}
	}
	slices.Sort(processors)
	if len(processors) != 2 {
		t.Errorf("processors %v: want two", processors)
	}
	if m := regexp.MustCompile(`social\.posts:(\d+)`).FindStringSubmatch(strings.Join(c.Services["kafka-init"].Command, " ")); m == nil {
		t.Error("kafka-init does not create social.posts")
	} else if n, _ := strconv.Atoi(m[1]); n < len(processors) {
		t.Errorf("social.posts has %d partitions for %d processors", n, len(processors))
	}

	// Prometheus scrapes exactly the processors, on the HTTP port.
	prom := c.Services["prometheus"]
	if !slices.Contains(prom.Command, "--config.file=/etc/prometheus/prometheus.yml") || prom.mount("/etc/prometheus") != "./prometheus" {
		t.Errorf("prometheus does not load ./prometheus/prometheus.yml: %v %v", prom.Command, prom.Volumes)
	}
	pc := readPrometheusConfig(t)
	var targets []string
	for _, sc := range pc.ScrapeConfigs {
		if sc.JobName != "socialpulse" {
			continue
		}
		for _, st := range sc.StaticConfigs {
			for _, tg := range st.Targets {
				host, _, _ := net.SplitHostPort(tg)
				targets = append(targets, host)
				if portOf(t, tg) != port {
					t.Errorf("prometheus scrapes %s, want port %d", tg, port)
				}
			}
		}
	}
	slices.Sort(targets)
	if !slices.Equal(targets, processors) {
		t.Errorf("prometheus scrapes %v, want the processors %v", targets, processors)
	}
	for _, am := range pc.Alerting.Alertmanagers {
		for _, st := range am.StaticConfigs {
			for _, tg := range st.Targets {
				host, _, _ := net.SplitHostPort(tg)
				if _, ok := c.Services[host]; !ok {
					t.Errorf("prometheus sends alerts to %s, which is no service", tg)
				}
			}
		}
	}

	// Grafana provisions the data source the dashboards select and loads
	// ../dashboards.
	g := c.Services["grafana"]
	if g.mount("/etc/grafana/provisioning") != "./grafana/provisioning" {
		t.Errorf("grafana does not mount ./grafana/provisioning: %v", g.Volumes)
	}
	var ds struct {
		Datasources []struct {
			UID      string         `yaml:"uid"`
			Type     string         `yaml:"type"`
			URL      string         `yaml:"url"`
			JSONData map[string]any `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	readYAML(t, "grafana/provisioning/datasources/prometheus.yml", &ds)
	found := false
	for _, d := range ds.Datasources {
		if d.UID != dashboards.DatasourceUID {
			continue
		}
		found = true
		if d.Type != "prometheus" || d.URL != "http://prometheus:9090" {
			t.Errorf("data source %s: type %s, url %s", d.UID, d.Type, d.URL)
		}
		if d.JSONData["timeInterval"] != pc.Global.ScrapeInterval {
			t.Errorf("data source timeInterval %v, want the scrape interval %s", d.JSONData["timeInterval"], pc.Global.ScrapeInterval)
		}
	}
	if !found {
		t.Errorf("no provisioned data source with uid %s", dashboards.DatasourceUID)
	}
	var prov struct {
		Providers []struct {
			FolderUID string `yaml:"folderUid"`
			Type      string `yaml:"type"`
			Options   struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "grafana/provisioning/dashboards/socialpulse.yml", &prov)
	if len(prov.Providers) != 1 {
		t.Fatalf("want one dashboard provider, got %d", len(prov.Providers))
	}
	p := prov.Providers[0]
	if p.Type != "file" || p.FolderUID != dashboards.FolderUID {
		t.Errorf("provider type %s folder %s", p.Type, p.FolderUID)
	}
	if g.mount(p.Options.Path) != "../dashboards" {
		t.Errorf("grafana does not mount ../dashboards at the provider path %s: %v", p.Options.Path, g.Volumes)
	}
}

type prometheusConfig struct {
	Global struct {
		ScrapeInterval string `yaml:"scrape_interval"`
	} `yaml:"global"`
	RuleFiles []string `yaml:"rule_files"`
	Alerting  struct {
		Alertmanagers []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"alertmanagers"`
	} `yaml:"alerting"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

func readPrometheusConfig(t *testing.T) prometheusConfig {
	t.Helper()
	var pc prometheusConfig
	readYAML(t, "prometheus/prometheus.yml", &pc)
	return pc
}

// ruleExprs returns every rule expression of the rule files Prometheus loads.
func ruleExprs(t *testing.T) []string {
	t.Helper()
	var exprs []string
	for _, pattern := range readPrometheusConfig(t).RuleFiles {
		files, err := filepath.Glob(filepath.Join("prometheus", pattern))
		if err != nil || len(files) == 0 {
			t.Fatalf("rule_files %s matches no file (%v)", pattern, err)
		}
		for _, f := range files {
			var rf struct {
				Groups []struct {
					Rules []struct {
						Expr string `yaml:"expr"`
					} `yaml:"rules"`
				} `yaml:"groups"`
			}
			readYAML(t, f, &rf)
			for _, g := range rf.Groups {
				for _, r := range g.Rules {
					exprs = append(exprs, r.Expr)
				}
			}
		}
	}
	return exprs
}

// TestPrometheusAndAlertmanagerConfigs runs promtool and amtool from the
// Debian packages the test scripts install, when they are there.
func TestPrometheusAndAlertmanagerConfigs(t *testing.T) {
	dir := filepath.Dir(testenv.PrometheusBinary(t))
	for _, tool := range [][]string{
		{"promtool", "check", "config", "prometheus/prometheus.yml"}, // also checks the rule files
		{"amtool", "check-config", "alertmanager/alertmanager.yml"},
	} {
		bin := filepath.Join(dir, tool[0])
		if _, err := os.Stat(bin); err != nil {
			t.Logf("%s not installed next to prometheus; not checked", tool[0])
			continue
		}
		out, err := exec.Command(bin, tool[1:]...).CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", strings.Join(tool, " "), err, out)
		}
	}
}

// ---------------------------------------------------------------- Kubernetes

type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec       yaml.Node         `yaml:"spec"`
	StringData map[string]string `yaml:"stringData"`
	Data       map[string]string `yaml:"data"`
}

type podSpec struct {
	TerminationGracePeriodSeconds int64 `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               struct {
		RunAsNonRoot bool `yaml:"runAsNonRoot"`
	} `yaml:"securityContext"`
	Containers []struct {
		Name  string   `yaml:"name"`
		Image string   `yaml:"image"`
		Args  []string `yaml:"args"`
		Env   []struct {
			Name      string `yaml:"name"`
			Value     string `yaml:"value"`
			ValueFrom *struct {
				SecretKeyRef *struct {
					Name string `yaml:"name"`
					Key  string `yaml:"key"`
				} `yaml:"secretKeyRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		ReadinessProbe *probe `yaml:"readinessProbe"`
		LivenessProbe  *probe `yaml:"livenessProbe"`
		Resources      struct {
			Requests map[string]string `yaml:"requests"`
		} `yaml:"resources"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	} `yaml:"containers"`
	Volumes []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
	} `yaml:"volumes"`
}

type probe struct {
	HTTPGet struct {
		Path string    `yaml:"path"`
		Port yaml.Node `yaml:"port"`
	} `yaml:"httpGet"`
}

type deploymentSpec struct {
	Replicas int `yaml:"replicas"`
	Selector struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"selector"`
	Template struct {
		Metadata struct {
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
		Spec podSpec `yaml:"spec"`
	} `yaml:"template"`
}

func loadKustomization(t *testing.T) (map[string][]k8sObject, []string, string) {
	t.Helper()
	var k struct {
		Resources          []string `yaml:"resources"`
		ConfigMapGenerator []struct {
			Name  string   `yaml:"name"`
			Files []string `yaml:"files"`
		} `yaml:"configMapGenerator"`
	}
	readYAML(t, "kubernetes/kustomization.yaml", &k)
	objs := map[string][]k8sObject{}
	for _, r := range k.Resources {
		data, err := os.ReadFile(filepath.Join("kubernetes", r))
		if err != nil {
			t.Fatalf("kustomization resource: %v", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var o k8sObject
			if err := dec.Decode(&o); err != nil {
				if err.Error() == "EOF" {
					break
				}
				t.Fatalf("%s: %v", r, err)
			}
			objs[o.Kind] = append(objs[o.Kind], o)
		}
	}
	if len(k.ConfigMapGenerator) != 1 {
		t.Fatalf("want one generated ConfigMap, got %d", len(k.ConfigMapGenerator))
	}
	for _, f := range k.ConfigMapGenerator[0].Files {
		if _, err := os.Stat(filepath.Join("kubernetes", f)); err != nil {
			t.Errorf("configMapGenerator file: %v", err)
		}
	}
	return objs, k.ConfigMapGenerator[0].Files, k.ConfigMapGenerator[0].Name
}

func subset(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func TestKubernetes(t *testing.T) {
	cfg := k8sConfig(t)
	port := portOf(t, cfg.HTTP.Listen)
	objs, cmFiles, cmName := loadKustomization(t)
	for _, kind := range []string{"Deployment", "Service", "PodDisruptionBudget", "Secret"} {
		if len(objs[kind]) != 1 {
			t.Fatalf("want one %s, got %d", kind, len(objs[kind]))
		}
	}
	var d deploymentSpec
	if err := objs["Deployment"][0].Spec.Decode(&d); err != nil {
		t.Fatal(err)
	}
	pod := d.Template.Metadata.Labels
	if !subset(d.Selector.MatchLabels, pod) {
		t.Errorf("deployment selector %v does not select its pods %v", d.Selector.MatchLabels, pod)
	}
	if d.Replicas < 2 {
		t.Errorf("replicas %d: want at least two", d.Replicas)
	}
	ps := d.Template.Spec
	if !ps.SecurityContext.RunAsNonRoot {
		t.Error("pod does not require runAsNonRoot")
	}
	if time.Duration(ps.TerminationGracePeriodSeconds)*time.Second <= cfg.ShutdownTimeout {
		t.Errorf("terminationGracePeriodSeconds %d does not exceed shutdown_timeout %v", ps.TerminationGracePeriodSeconds, cfg.ShutdownTimeout)
	}
	if a := d.Template.Metadata.Annotations["prometheus.io/port"]; a != strconv.Itoa(port) {
		t.Errorf("prometheus.io/port annotation %q, want %d", a, port)
	}
	if len(ps.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(ps.Containers))
	}
	ctr := ps.Containers[0]

	// The config file the container reads is the generated ConfigMap's.
	mounts := map[string]string{} // volume name -> mount path
	for _, m := range ctr.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	var cmMount string
	for _, v := range ps.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == cmName {
			cmMount = mounts[v.Name]
		}
	}
	if cmMount == "" {
		t.Fatalf("ConfigMap %s is not mounted", cmName)
	}
	i := slices.Index(ctr.Args, "--config")
	if len(ctr.Args) == 0 || ctr.Args[0] != "run" || i < 0 || i+1 >= len(ctr.Args) {
		t.Fatalf("args %v: want run --config FILE", ctr.Args)
	}
	if dir, file := filepath.Split(ctr.Args[i+1]); filepath.Clean(dir) != cmMount || !slices.Contains(cmFiles, file) {
		t.Errorf("--config %s is not a file of the mounted ConfigMap (%s: %v)", ctr.Args[i+1], cmMount, cmFiles)
	}
	var shipped config.Config
	readYAML(t, "kubernetes/config.yaml", &shipped)
	if dir, file := filepath.Split(shipped.Taxonomy.File); filepath.Clean(dir) != cmMount || !slices.Contains(cmFiles, file) {
		t.Errorf("taxonomy.file %s is not a file of the mounted ConfigMap", shipped.Taxonomy.File)
	}
	tax, err := os.ReadFile("kubernetes/taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if tx, err := feature.ParseTaxonomy(tax, "kubernetes/taxonomy.yaml"); err != nil {
		t.Errorf("taxonomy: %v", err)
	} else if _, err := feature.NewTagger(tx); err != nil {
		t.Errorf("taxonomy: %v", err)
	}

	// Environment: every name is an option; secrets come from the Secret.
	secret := objs["Secret"][0]
	environ := []string{"SOCIALPULSE_TAXONOMY_FILE=kubernetes/taxonomy.yaml"}
	for _, e := range ctr.Env {
		checkEnvName(t, "deployment.yaml", e.Name)
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			ref := e.ValueFrom.SecretKeyRef
			v, ok := secret.StringData[ref.Key]
			if ref.Name != secret.Metadata.Name || !ok {
				t.Errorf("env %s refers to secret %s key %s, which secret.yaml lacks", e.Name, ref.Name, ref.Key)
			}
			environ = append(environ, e.Name+"="+v)
			continue
		}
		environ = append(environ, e.Name+"="+e.Value)
	}
	if _, err := config.Load("kubernetes/config.yaml", environ); err != nil {
		t.Errorf("config with the deployment's environment: %v", err)
	}

	// Ports and probes.
	portName := ""
	for _, p := range ctr.Ports {
		if p.ContainerPort == port {
			portName = p.Name
		}
	}
	if portName == "" {
		t.Fatalf("no container port %d", port)
	}
	for _, pr := range []struct {
		name string
		p    *probe
		path string
	}{{"readiness", ctr.ReadinessProbe, "/readyz"}, {"liveness", ctr.LivenessProbe, "/healthz"}} {
		if pr.p == nil {
			t.Errorf("no %s probe", pr.name)
			continue
		}
		if pr.p.HTTPGet.Path != pr.path {
			t.Errorf("%s probe path %s, want %s", pr.name, pr.p.HTTPGet.Path, pr.path)
		}
		if v := pr.p.HTTPGet.Port.Value; v != portName && v != strconv.Itoa(port) {
			t.Errorf("%s probe port %s, want %s or %d", pr.name, v, portName, port)
		}
	}
	for _, r := range []string{"cpu", "memory"} {
		if ctr.Resources.Requests[r] == "" {
			t.Errorf("no %s request", r)
		}
	}

	var svc struct {
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Port       int       `yaml:"port"`
			TargetPort yaml.Node `yaml:"targetPort"`
		} `yaml:"ports"`
	}
	if err := objs["Service"][0].Spec.Decode(&svc); err != nil {
		t.Fatal(err)
	}
	if !subset(svc.Selector, pod) {
		t.Errorf("service selector %v does not select the pods %v", svc.Selector, pod)
	}
	for _, p := range svc.Ports {
		if v := p.TargetPort.Value; v != portName && v != strconv.Itoa(port) {
			t.Errorf("service targetPort %s, want %s", v, portName)
		}
	}
	var pdb struct {
		MaxUnavailable *int `yaml:"maxUnavailable"`
		MinAvailable   *int `yaml:"minAvailable"`
		Selector       struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
	}
	if err := objs["PodDisruptionBudget"][0].Spec.Decode(&pdb); err != nil {
		t.Fatal(err)
	}
	if !subset(pdb.Selector.MatchLabels, pod) {
		t.Errorf("PDB selector %v does not select the pods %v", pdb.Selector.MatchLabels, pod)
	}
	if pdb.MaxUnavailable == nil && pdb.MinAvailable == nil {
		t.Error("PDB sets neither maxUnavailable nor minAvailable")
	}
}

// ---------------------------------------------------------------- the processor

type probeCollector struct{ desc *prometheus.Desc }

func (p probeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- p.desc }
func (p probeCollector) Collect(chan<- prometheus.Metric)    {}

// registered reports whether reg has a metric named name, whether or not
// it has any series yet: registering a descriptor with that name and a
// different help text fails exactly when the name is taken.
func registered(reg *prometheus.Registry, name string) bool {
	c := probeCollector{prometheus.NewDesc(name, "deploy test probe", nil, nil)}
	if err := reg.Register(c); err != nil {
		return true
	}
	reg.Unregister(c)
	return false
}

// TestProcessorServesWhatDeployFilesUse builds a processor in process (kfake
// and miniredis) and checks the probe paths it serves and that every metric
// the dashboards and alert rules use is in its registry.
func TestProcessorServesWhatDeployFilesUse(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "social.posts"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	mr := miniredis.RunT(t)
	cfg := config.Default()
	cfg.Kafka.Brokers = cluster.ListenAddrs()
	cfg.Redis.Addrs = []string{mr.Addr()}
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.ShutdownTimeout = 10 * time.Second
	reg := prometheus.NewRegistry()
	a, err := app.New(cfg, app.Options{Logger: zaptest.NewLogger(t), Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	for path, ok := range map[string][]int{
		"/healthz": {http.StatusOK},
		"/readyz":  {http.StatusOK, http.StatusServiceUnavailable}, // served; ready or not yet
		"/metrics": {http.StatusOK},
	} {
		resp, err := http.Get("http://" + a.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !slices.Contains(ok, resp.StatusCode) {
			t.Errorf("GET %s: %d, want one of %v", path, resp.StatusCode, ok)
		}
	}

	used := map[string][]string{} // metric -> where
	names, err := dashboards.MetricNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		used[n] = append(used[n], "dashboards")
	}
	for _, e := range ruleExprs(t) {
		for _, n := range dashboards.FindMetricNames(e) {
			used[n] = append(used[n], "prometheus rules")
		}
	}
	if len(used) == 0 {
		t.Fatal("no metric names found")
	}
	for name, where := range used {
		exists := registered(reg, name)
		for _, suffix := range []string{"_bucket", "_sum", "_count"} { // histogram series
			if base, ok := strings.CutSuffix(name, suffix); ok && !exists {
				exists = registered(reg, base)
			}
		}
		switch pending := slices.Contains(pendingMetrics, name); {
		case exists && pending:
			t.Logf("%s is exported now: remove it from pendingMetrics", name)
		case pending:
			t.Logf("pending: %s (used by %s) is not exported yet", name, strings.Join(slices.Compact(where), ", "))
		case !exists:
			t.Errorf("%s, used by %s, is not a metric the processor exports", name, strings.Join(slices.Compact(where), ", "))
		}
	}
}
