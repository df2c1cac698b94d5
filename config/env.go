package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts every environment override.
const EnvPrefix = "SOCIALPULSE_"

var durationType = reflect.TypeOf(time.Duration(0))

// cliVariables are read by commands, not by the processor's config.
var cliVariables = map[string]bool{
	EnvPrefix + "REQUIRE_SERVICES": true, // the test harness
	EnvPrefix + "CONFIG":           true, // socialpulse run
	EnvPrefix + "GRAFANA_TOKEN":    true, // socialpulse dashboards push
	EnvPrefix + "API_URL":          true, // socialpulse spikes: the API's base URL
	EnvPrefix + "API_TOKEN":        true, // socialpulse spikes: the bearer token
}

// applyEnv sets fields from SOCIALPULSE_* variables. A variable naming no
// option is an error, so a typo does not pass silently.
func applyEnv(cfg *Config, environ []string) error {
	fields := map[string]reflect.Value{}
	collectEnv(reflect.ValueOf(cfg).Elem(), "", fields)
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		f, known := fields[name]
		if !known {
			if strings.HasPrefix(name, EnvPrefix+"TEST_") || cliVariables[name] {
				continue // the test harness's and the CLI's own variables
			}
			return fmt.Errorf("config: environment variable %s names no option", name)
		}
		if err := setFromString(f, val); err != nil {
			return fmt.Errorf("config: %s: %w", name, err)
		}
	}
	return nil
}

// EnvNames lists every override variable, for documentation.
func EnvNames() []string {
	cfg := Default()
	fields := map[string]reflect.Value{}
	collectEnv(reflect.ValueOf(&cfg).Elem(), "", fields)
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	return names
}

func collectEnv(v reflect.Value, path string, out map[string]reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		name := path + strings.ToUpper(tag)
		fv := v.Field(i)
		if sf.Type.Kind() == reflect.Struct {
			collectEnv(fv, name+"_", out)
			continue
		}
		out[EnvPrefix+name] = fv
	}
}

func setFromString(f reflect.Value, s string) error {
	switch {
	case f.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
		return nil
	case f.Kind() == reflect.String:
		f.SetString(s)
		return nil
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		f.SetBool(b)
		return nil
	case f.Kind() == reflect.Float64:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		f.SetFloat(v)
		return nil
	case f.Kind() == reflect.Int || f.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		f.SetInt(n)
		return nil
	case f.Kind() == reflect.Slice:
		var parts []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		sl := reflect.MakeSlice(f.Type(), len(parts), len(parts))
		for i, p := range parts {
			if err := setFromString(sl.Index(i), p); err != nil {
				return err
			}
		}
		f.Set(sl)
		return nil
	}
	return fmt.Errorf("unsupported option type %s", f.Type())
}
