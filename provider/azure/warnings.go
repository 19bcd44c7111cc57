package azure

import (
	"fmt"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// Warnings are what a plan on Azure says besides the compose file's own
// warnings.
//
// Plain HTTP: an app's main HTTP port is HTTPS at its default domain, and
// HTTP there is redirected ("HTTP requests to port 80 are automatically
// redirected to port 443 using HTTPS" unless allowInsecure, which we leave
// false for external ingress: https://learn.microsoft.com/azure/container-apps/ingress-overview#http,
// https://learn.microsoft.com/azure/container-apps/ingress-how-to), with
// or without a Project domain. Unlike on AWS, no warning is due there. But
// Container Apps serve one HTTP port per app: every other port is an
// additional TCP port mapping, which carries no TLS, so an external HTTP
// port there is plain HTTP, domain or not.
func Warnings(project *compose.Project) []compose.Diagnostic {
	if project == nil {
		return nil
	}
	var out []compose.Diagnostic
	for _, s := range project.Services {
		if !runsContainer(s) {
			continue
		}
		// The Container Apps container (properties.template.containers[],
		// https://learn.microsoft.com/azure/container-apps/containers) has
		// no setting for either.
		if len(s.Ulimits) > 0 {
			out = append(out, compose.Diagnostic{Service: s.Name, Field: "ulimits",
				Message: "ulimits are ignored: Container Apps containers run with the platform's limits"})
		}
		if s.ShmSizeBytes > 0 {
			out = append(out, compose.Diagnostic{Service: s.Name, Field: "shm_size",
				Message: "shm_size is ignored: Container Apps cannot size /dev/shm"})
		}
		ports := containerPorts(s)
		plan, err := planIngress(ports)
		if err != nil || plan == nil || !plan.isHTTP() {
			continue // errors are reported when the app is planned
		}
		for i, p := range ports {
			if p.Port == plan.targetPort || !isIngress(p) || p.AppProtocol == compose.AppProtocolTCP {
				continue
			}
			out = append(out, compose.Diagnostic{Service: s.Name, Field: fmt.Sprintf("ports[%d]", i),
				Message: fmt.Sprintf("port %d is exposed as a plain TCP port, without TLS: a Container App serves HTTPS on one port only (here %d, at https://<app>.<environment domain>); serve the others through that port, or mark them app_protocol: tcp", p.Port, plan.targetPort)})
		}
	}
	return out
}
