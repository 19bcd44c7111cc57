// Package spec holds the cloud-neutral shapes that both clouds' child
// components take or report: what a compose service asks of its container,
// what an image build needs, and a DNS record the user must create. One Go
// type and one schema type each (index:ContainerSpec...), so that a
// program moving a component from AWS to Azure passes the same values.
package spec

import (
	"reflect"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Port is one declared port of a service.
type Port struct {
	Port     int    `pulumi:"port"`
	Protocol string `pulumi:"protocol,optional"`
	// Mode is ingress (public) or host (the project's services only).
	Mode        string `pulumi:"mode,optional"`
	AppProtocol string `pulumi:"appProtocol,optional"`
}

func (c *Port) Annotate(a infer.Annotator) {
	a.SetToken("index", "ContainerPort")
	a.Describe(&c.Port, "The container port.")
	a.Describe(&c.Protocol, "tcp (default) or udp. Azure Container Apps serve no UDP: udp is an error there.")
	a.Describe(&c.Mode, "ingress (default: public, through the AWS load balancer or Azure external ingress) or host (reachable by the project's services only).")
	a.Describe(&c.AppProtocol, "http (default), http2, grpc or tcp.")
}

// Healthcheck is a compose healthcheck, with the URL its test fetches when
// it has one.
type Healthcheck struct {
	Test               []string `pulumi:"test,optional"`
	IntervalSeconds    int      `pulumi:"intervalSeconds,optional"`
	TimeoutSeconds     int      `pulumi:"timeoutSeconds,optional"`
	Retries            int      `pulumi:"retries,optional"`
	StartPeriodSeconds int      `pulumi:"startPeriodSeconds,optional"`
	HttpPath           string   `pulumi:"httpPath,optional"`
	HttpPort           int      `pulumi:"httpPort,optional"`
}

func (h *Healthcheck) Annotate(a infer.Annotator) {
	a.SetToken("index", "ContainerHealthcheck")
	a.Describe(&h.Test, "The compose test: [\"CMD\", ...] or [\"CMD-SHELL\", \"...\"]. AWS runs it as the container health check; Azure Container Apps run no commands as probes and use httpPath/httpPort, else a TCP connection to the first port.")
	a.Describe(&h.IntervalSeconds, "Seconds between checks (ECS accepts 5-300, Container Apps 1-240; default 30).")
	a.Describe(&h.TimeoutSeconds, "Check timeout in seconds (ECS accepts 2-60, Container Apps 1-240; default 5).")
	a.Describe(&h.Retries, "Failures before unhealthy (1-10; default 3).")
	a.Describe(&h.StartPeriodSeconds, "Grace period after start in seconds (ECS accepts 0-300, Container Apps at most 60).")
	a.Describe(&h.HttpPath, "Path of the local URL the test fetches (curl/wget), if any: the Azure probe's path.")
	a.Describe(&h.HttpPort, "Port of that URL.")
}

// Container is what a compose service asks of its container.
type Container struct {
	Command                []string          `pulumi:"command,optional"`
	Entrypoint             []string          `pulumi:"entrypoint,optional"`
	WorkingDir             string            `pulumi:"workingDir,optional"`
	User                   string            `pulumi:"user,optional"`
	Environment            map[string]string `pulumi:"environment,optional"`
	Ports                  []Port            `pulumi:"ports,optional"`
	Healthcheck            *Healthcheck      `pulumi:"healthcheck,optional"`
	Cpus                   float64           `pulumi:"cpus,optional"`
	MemoryMiB              int               `pulumi:"memoryMiB,optional"`
	Replicas               *int              `pulumi:"replicas,optional"`
	StopGracePeriodSeconds int               `pulumi:"stopGracePeriodSeconds,optional"`
	Platform               string            `pulumi:"platform,optional"`
	Gpus                   int               `pulumi:"gpus,optional"`
}

func (c *Container) Annotate(a infer.Annotator) {
	a.SetToken("index", "ContainerSpec")
	a.Describe(&c.Command, "Overrides the image's command.")
	a.Describe(&c.Entrypoint, "Overrides the image's entrypoint.")
	a.Describe(&c.WorkingDir, "The working directory of the command (Azure Container Apps: not supported, a warning).")
	a.Describe(&c.User, "The user the command runs as (Azure Container Apps: not supported, a warning).")
	a.Describe(&c.Environment, "Plain environment values. Secret values go in the component's secrets input instead.")
	a.Describe(&c.Ports, "Declared ports. On Azure the first ingress port (preferring HTTP) is the app's main ingress port and the others are additional TCP ports.")
	a.Describe(&c.Healthcheck, "The container health check (Azure: liveness and readiness probes).")
	a.Describe(&c.Cpus, "Reserved vCPUs: the smallest Fargate size (default 0.25 vCPU, 512 MiB) or Container Apps consumption size (0.25 vCPU/0.5 GiB steps up to 4 vCPU/8 GiB) that holds cpus and memoryMiB.")
	a.Describe(&c.MemoryMiB, "Reserved memory in MiB.")
	a.Describe(&c.Replicas, "Number of tasks or replicas (default 1); on Azure the minimum replicas are at least the mode's.")
	a.Describe(&c.StopGracePeriodSeconds, "Seconds between SIGTERM and SIGKILL (Fargate allows up to 120, Container Apps 600).")
	a.Describe(&c.Platform, "linux/amd64 (default) or linux/arm64 (AWS only).")
	a.Describe(&c.Gpus, "GPUs reserved (compose deploy.resources.reservations.devices with capabilities [gpu]). On AWS, above 0 the service runs on EC2 GPU capacity (a GpuCapacity) and needs linux/amd64; Azure's consumption profile has none (an error).")
}

// Build is one image to build in the cloud.
type Build struct {
	Service    string            `pulumi:"service"`
	Context    string            `pulumi:"context"`
	Dockerfile string            `pulumi:"dockerfile,optional"`
	Target     string            `pulumi:"target,optional"`
	Args       map[string]string `pulumi:"args,optional"`
	Platform   string            `pulumi:"platform,optional"`
}

func (b *Build) Annotate(a infer.Annotator) {
	a.SetToken("index", "BuildSpec")
	a.Describe(&b.Service, "The compose service the image is for.")
	a.Describe(&b.Context, "Absolute path of the build context on the machine that runs `pulumi up`.")
	a.Describe(&b.Dockerfile, "Dockerfile path relative to the context (default Dockerfile).")
	a.Describe(&b.Target, "Multi-stage build target.")
	a.Describe(&b.Args, "Build arguments. They are visible in the build service's run details: do not put secrets here.")
	a.Describe(&b.Platform, "Target platform, linux/amd64 by default (linux/arm64 also builds on both clouds).")
}

// DnsRecord is a DNS record the user must create at the DNS provider of a
// domain whose zone the project does not manage.
type DnsRecord struct {
	Name  string `pulumi:"name"`
	Type  string `pulumi:"type"`
	Value string `pulumi:"value"`
}

func (r *DnsRecord) Annotate(a infer.Annotator) {
	a.SetToken("index", "DnsRecord")
	a.Describe(&r, "A DNS record to create by hand.")
	a.Describe(&r.Name, "The record's fully qualified name (ACM's validation names end with a dot).")
	a.Describe(&r.Type, "CNAME or TXT; or ALIAS for a name at a zone apex on AWS (where a CNAME is not allowed: use the DNS provider's ALIAS, ANAME or CNAME flattening), A on Azure.")
	a.Describe(&r.Value, "The record's value: a certificate validation target or token, the load balancer's or app's DNS name, or an IP address.")
}

// DnsRecordArrayOutput is an Output of []DnsRecord.
type DnsRecordArrayOutput struct{ *pulumi.OutputState }

func (DnsRecordArrayOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*[]DnsRecord)(nil)).Elem()
}

func init() { pulumi.RegisterOutputType(DnsRecordArrayOutput{}) }

// DnsRecords gathers records whose parts are outputs into one output, in
// the order given: each element is {name, type, value}.
func DnsRecords(records [][3]pulumi.StringOutput) DnsRecordArrayOutput {
	flat := pulumi.StringArray{}
	for _, r := range records {
		flat = append(flat, r[0], r[1], r[2])
	}
	return flat.ToStringArrayOutput().ApplyT(func(vals []string) []DnsRecord {
		out := []DnsRecord{}
		for i := 0; i+2 < len(vals); i += 3 {
			out = append(out, DnsRecord{Name: vals[i], Type: vals[i+1], Value: vals[i+2]})
		}
		return out
	}).(DnsRecordArrayOutput)
}

// ServiceInfo is what the Project reports about each service, whatever the
// cloud (Go only: the Project's services output renders it).
type ServiceInfo struct {
	Kind            string
	Image           pulumi.StringOutput
	PrivateHostname pulumi.StringOutput
	Urls            pulumi.StringArrayOutput
}

// Service kinds reported in the Project's services output.
const (
	KindIngress = "ingress" // public: a load balancer or external ingress
	KindPrivate = "private" // ports reachable only by the project's services
	KindWorker  = "worker"  // no ports
	KindManaged = "managed" // a managed store
)
