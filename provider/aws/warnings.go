package aws

import (
	"fmt"
	"strings"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// Warnings are what a plan on AWS says besides the compose file's own
// warnings: what deploys, but not as the mode or the file suggests. domain
// is the Project's domain ("" for none).
func Warnings(project *compose.Project, m mode.Mode, domain string) []compose.Diagnostic {
	if project == nil {
		return nil
	}
	spot := settingsFor(m).Spot
	var out []compose.Diagnostic
	for _, s := range project.Services {
		if !runsContainer(s) {
			continue
		}
		if spot && s.GPUs == 0 && isArm64(s.Platform) {
			out = append(out, compose.Diagnostic{Service: s.Name, Field: "platform",
				Message: "linux/arm64 runs on Fargate (on demand) in affordable mode, not on Fargate Spot, which runs X86_64 tasks only: it costs more than on Spot; use linux/amd64 to run on Spot"})
		}
		if s.ShmSizeBytes > 0 {
			// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinuxParameters.html:
			// sharedMemorySize "is not supported for tasks using the Fargate launch type".
			out = append(out, compose.Diagnostic{Service: s.Name, Field: "shm_size",
				Message: "shm_size is ignored: Fargate tasks cannot size /dev/shm (ECS linuxParameters.sharedMemorySize is not supported on Fargate)"})
		}
		if domain == "" {
			out = append(out, plainHTTPWarnings(s)...)
		}
	}
	return out
}

// plainHTTPWarnings: without a domain the application load balancer
// forwards each published HTTP port over plain HTTP (see NewLoadBalancer):
// only a service's domainname, on its first HTTP port, gets HTTPS. With a
// domain every HTTP listener redirects to HTTPS instead.
func plainHTTPWarnings(s *compose.Service) []compose.Diagnostic {
	named := uint32(0) // the port a domainname serves over HTTPS
	if s.DomainName != "" {
		for _, p := range s.IngressPorts() {
			if p.IsHTTP() && (named == 0 || p.Target < named) {
				named = p.Target
			}
		}
	}
	var out []compose.Diagnostic
	for i, p := range s.Ports {
		if !p.IsHTTP() || p.AppProtocol != compose.AppProtocolHTTP || p.Target == named {
			continue
		}
		published := p.Published
		if published == 0 {
			published = p.Target
		}
		where := fmt.Sprintf("http://<load balancer>:%d", published)
		if published == 80 {
			where = "http://<load balancer>"
		}
		msg := fmt.Sprintf("port %d is plain HTTP (%s): without a domain the load balancer forwards it unencrypted; give the Project a domain to serve every HTTP port over HTTPS", p.Target, where)
		if named != 0 {
			msg += fmt.Sprintf(" (domainname %s serves port %d only)", s.DomainName, named)
		}
		out = append(out, compose.Diagnostic{Service: s.Name, Field: fmt.Sprintf("ports[%d]", i), Message: msg})
	}
	return out
}

// isArm64 reports a compose platform of 64-bit ARM (linux/arm64, and its
// variant linux/arm64/v8): an ARM64 task on ECS.
func isArm64(platform string) bool {
	return platform == "linux/arm64" || strings.HasPrefix(platform, "linux/arm64/")
}
