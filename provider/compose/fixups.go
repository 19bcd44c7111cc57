package compose

import (
	"fmt"
	"sort"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Fixups apply the defaults of the Defang compose contract to converted
// values. They never fail: every problem has been reported by the rules
// before they run.

// fixupPorts returns the ports with their defaults applied, sorted by target
// then protocol:
//   - a port without a mode is ingress, except UDP which is host, as
//     Defang's fixupPort does (the short syntax "53:53/udp" sets mode
//     ingress, so it stays ingress);
//   - a TCP ingress port without an app_protocol is http; a UDP one has
//     none (it is carried as datagrams);
//   - the published port defaults to the target.
func fixupPorts(in []Port) []Port {
	out := make([]Port, 0, len(in))
	for _, p := range in {
		if p.Mode == "" {
			p.Mode = PortModeIngress
			if p.Protocol == ProtocolUDP {
				p.Mode = PortModeHost
			}
		}
		if p.Mode == PortModeIngress && p.AppProtocol == "" && p.Protocol == ProtocolTCP {
			p.AppProtocol = AppProtocolHTTP
		}
		if p.Published == 0 {
			p.Published = p.Target
		}
		out = append(out, p)
	}
	sortPorts(out)
	return out
}

// sortPorts orders ports by every field, so that the order is total and the
// same input always gives the same resources.
func sortPorts(ports []Port) {
	sort.SliceStable(ports, func(i, j int) bool {
		a, b := ports[i], ports[j]
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		if a.Published != b.Published {
			return a.Published < b.Published
		}
		if a.Mode != b.Mode {
			return a.Mode < b.Mode
		}
		return a.AppProtocol < b.AppProtocol
	})
}

// Default ports of the managed stores.
const (
	postgresPort uint32 = 5432
	redisPort    uint32 = 6379
	mongoPort    uint32 = 27017
)

// fixupManagedStorePorts gives a managed store without ports its default
// port as a host port, so that other services can reach it by name.
func fixupManagedStorePorts(s *Service) []Port {
	if len(s.Ports) > 0 {
		return s.Ports
	}
	var port uint32
	switch {
	case s.Postgres != nil:
		port = postgresPort
	case s.Redis != nil:
		port = redisPort
	case s.Mongo != nil:
		port = mongoPort
	default:
		return s.Ports
	}
	return []Port{{Target: port, Published: port, Protocol: ProtocolTCP, Mode: PortModeHost}}
}

// fixupManagedStores records the port a managed store listens on: its first
// TCP port, else its default.
func fixupManagedStores(s *Service) {
	for _, st := range []struct {
		store *ManagedStore
		port  uint32
	}{{s.Postgres, postgresPort}, {s.Redis, redisPort}, {s.Mongo, mongoPort}} {
		if st.store == nil {
			continue
		}
		st.store.Port = st.port
		for _, p := range s.Ports {
			if p.Protocol == ProtocolTCP {
				st.store.Port = p.Target
				break
			}
		}
	}
}

// replicasSetting is the task count the file sets, nil when unset: `scale`
// or deploy.replicas (compose keeps them equal).
func replicasSetting(svc types.ServiceConfig) *int {
	if svc.Scale != nil {
		return svc.Scale
	}
	if svc.Deploy != nil {
		return svc.Deploy.Replicas
	}
	return nil
}

// replicas is the task count: 1 when unset. An explicit 0 stays 0 (the
// service is defined but not running); a negative value is an error.
func replicas(svc types.ServiceConfig) int {
	if r := replicasSetting(svc); r != nil && *r >= 0 {
		return *r
	}
	return 1
}

// clampHealthcheckTimeout shortens a healthcheck timeout that is not below
// its interval, as public compose files often have it (Defang accepts a
// timeout equal to the interval; load balancers reject it, and a check that
// may outlast its interval overlaps the next one). The timeout becomes the
// interval minus one second, or half the interval when that is a second or
// less. The input is not modified; the warning says what was done.
func clampHealthcheckTimeout(service string, hc *types.HealthCheckConfig) (*types.HealthCheckConfig, []Diagnostic) {
	if hc == nil || hc.Disable || hc.Timeout == nil || hc.Interval == nil || *hc.Timeout < *hc.Interval {
		return hc, nil
	}
	interval := time.Duration(*hc.Interval)
	timeout := interval - time.Second
	if interval <= time.Second {
		timeout = interval / 2
	}
	out := *hc
	clamped := types.Duration(timeout)
	out.Timeout = &clamped
	return &out, []Diagnostic{{Service: service, Field: "healthcheck.timeout",
		Message: fmt.Sprintf("timeout (%s) is not shorter than interval (%s); it is clamped to %s", time.Duration(*hc.Timeout), interval, timeout)}}
}
