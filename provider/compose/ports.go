package compose

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// convertPorts turns compose ports into model ports, in compose order (so
// that diagnostics can name "ports[i]"), before fixups: Mode stays empty
// when the file sets none. Invalid values are reported and kept as best
// they can be, so that later rules still see every port.
//
// The `protocol` field also accepts http, http2 and grpc (as Defang does):
// they mean a TCP port with that app_protocol.
func convertPorts(service string, in []types.ServicePortConfig) ([]Port, []Diagnostic) {
	var out []Port
	var errs []Diagnostic
	for i, pc := range in {
		field := func(f string) string { return fmt.Sprintf("ports[%d].%s", i, f) }
		add := func(f, msg string, args ...any) {
			errs = append(errs, Diagnostic{Service: service, Field: field(f), Message: fmt.Sprintf(msg, args...)})
		}
		p := Port{Target: pc.Target, Protocol: ProtocolTCP}

		if pc.Target < 1 || pc.Target > 65535 {
			add("target", "port %d is outside 1-65535", pc.Target)
		}

		fromProtocol := ""
		switch proto := strings.ToLower(pc.Protocol); proto {
		case "", ProtocolTCP:
		case ProtocolUDP:
			p.Protocol = ProtocolUDP
		case AppProtocolHTTP, AppProtocolHTTP2, AppProtocolGRPC:
			fromProtocol = proto
		default:
			add("protocol", "protocol %q is not supported; use tcp, udp, http, http2 or grpc", pc.Protocol)
		}

		switch app := strings.ToLower(pc.AppProtocol); app {
		case "":
			p.AppProtocol = fromProtocol
		case AppProtocolHTTP, AppProtocolHTTP2, AppProtocolGRPC, AppProtocolTCP:
			p.AppProtocol = app
			if fromProtocol != "" && fromProtocol != app {
				add("app_protocol", "app_protocol %q contradicts protocol %q; set only one", pc.AppProtocol, pc.Protocol)
			}
			if p.Protocol == ProtocolUDP && app != AppProtocolTCP {
				add("app_protocol", "app_protocol %q needs a TCP port, not UDP", pc.AppProtocol)
			}
		default:
			add("app_protocol", "app_protocol %q is not supported; use http, http2, grpc or tcp", pc.AppProtocol)
		}

		switch mode := strings.ToLower(pc.Mode); mode {
		case "", PortModeIngress, PortModeHost:
			p.Mode = mode
		default:
			add("mode", "port mode %q is not supported; use ingress or host", pc.Mode)
		}

		if pc.Published != "" {
			if strings.Contains(pc.Published, "-") {
				add("published", "published port ranges (%s) are not supported; list each port", pc.Published)
			} else if n, err := strconv.ParseUint(pc.Published, 10, 32); err != nil || n > 65535 {
				add("published", "published port %q is not a port number in 1-65535", pc.Published)
			} else {
				p.Published = uint32(n)
			}
		}
		out = append(out, p)
	}
	return out, errs
}

// portErrors checks the converted ports of one service: each target and
// protocol at most once (the load balancer and service discovery key on
// it). A UDP ingress port is fine: the cloud layers serve it or say why not.
func portErrors(service string, ports []Port) []Diagnostic {
	var out []Diagnostic
	seen := map[string]int{}
	for i, p := range ports {
		key := fmt.Sprintf("%d/%s", p.Target, p.Protocol)
		if j, dup := seen[key]; dup {
			out = append(out, Diagnostic{Service: service, Field: fmt.Sprintf("ports[%d].target", i),
				Message: fmt.Sprintf("duplicate port %s (also ports[%d])", key, j)})
		} else {
			seen[key] = i
		}
	}
	return out
}
