package aws_test

// Component tests: each child component constructed on its own through the
// pulumi-go-provider integration server with a mock monitor (provider/plan),
// per mode, asserting types, parents, key inputs and outputs.

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

func construct(t *testing.T, token, name string, inputs map[string]property.Value) ([]plan.Resource, property.Map) {
	t.Helper()
	res, state, err := plan.Construct(context.Background(), plan.Target{Token: token, Name: name, Project: "shop"}, property.NewMap(inputs))
	if err != nil {
		t.Fatalf("construct %s: %v", token, err)
	}
	for _, r := range res {
		if r.Type != token && r.Parent == "" {
			t.Errorf("%s has no parent", r.URN)
		}
	}
	return res, state
}

func constructErr(t *testing.T, token string, inputs map[string]property.Value) error {
	t.Helper()
	_, _, err := plan.Construct(context.Background(), plan.Target{Token: token, Name: "x", Project: "shop"}, property.NewMap(inputs))
	if err == nil {
		t.Fatalf("construct %s: want an error", token)
	}
	return err
}

func ofType(res []plan.Resource, typ string) []plan.Resource {
	var out []plan.Resource
	for _, r := range res {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func str(v string) property.Value { return property.New(v) }

func strs(vs ...string) property.Value {
	arr := make([]property.Value, len(vs))
	for i, v := range vs {
		arr[i] = property.New(v)
	}
	return property.New(property.NewArray(arr))
}

func obj(m map[string]property.Value) property.Value { return property.New(property.NewMap(m)) }

func TestNetworkPerMode(t *testing.T) {
	for _, tc := range []struct {
		mode           string
		zones, nats    int
		assignPublicIP bool
	}{
		{"affordable", 2, 0, true},
		{"balanced", 2, 1, false},
		{"high_availability", 3, 3, false},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			res, state := construct(t, "defang:aws:Network", "shop", map[string]property.Value{
				"mode": str(tc.mode), "privateDomain": str("shop.dev.internal"), "composeNetworks": strs("default", "backend"),
			})
			if got := len(ofType(res, "aws:ec2/vpc:Vpc")); got != 1 {
				t.Errorf("VPCs: got %d, want 1", got)
			}
			if got := len(ofType(res, "aws:ec2/subnet:Subnet")); got != 2*tc.zones {
				t.Errorf("subnets: got %d, want %d", got, 2*tc.zones)
			}
			if got := len(ofType(res, "aws:ec2/natGateway:NatGateway")); got != tc.nats {
				t.Errorf("NAT gateways: got %d, want %d", got, tc.nats)
			}
			natRoutes := 0
			for _, rt := range ofType(res, "aws:ec2/routeTable:RouteTable") {
				b, _ := json.Marshal(rt.Inputs["routes"])
				if strings.Contains(string(b), "natGatewayId") {
					natRoutes++
				}
			}
			if wantRoutes := map[bool]int{true: 0, false: tc.zones}[tc.nats == 0]; natRoutes != wantRoutes {
				t.Errorf("private route tables through NAT: got %d, want %d", natRoutes, wantRoutes)
			}
			if got := ofType(res, "aws:ec2/vpcDhcpOptions:VpcDhcpOptions"); len(got) != 1 || got[0].Inputs["domainName"] != "shop.dev.internal" {
				t.Errorf("DHCP options should put shop.dev.internal on the search list: %+v", got)
			}
			if got := len(ofType(res, "aws:ec2/securityGroup:SecurityGroup")); got != 2 {
				t.Errorf("one membership security group per compose network: got %d", got)
			}
			if state.Get("assignPublicIp").AsBool() != tc.assignPublicIP {
				t.Errorf("assignPublicIp: got %v", state.Get("assignPublicIp"))
			}
			if n := state.Get("taskSubnetIds").AsArray().Len(); n != tc.zones {
				t.Errorf("task subnets: got %d", n)
			}
		})
	}
}

func TestNetworkAdoptsExistingVPC(t *testing.T) {
	res, state := construct(t, "defang:aws:Network", "shop", map[string]property.Value{
		"mode": str("balanced"), "privateDomain": str("shop.dev.internal"),
		"vpcId": str("vpc-existing"), "publicSubnetIds": strs("subnet-pub1", "subnet-pub2"), "privateSubnetIds": strs("subnet-priv1", "subnet-priv2"),
	})
	for _, typ := range []string{"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway",
		"aws:ec2/natGateway:NatGateway", "aws:ec2/routeTable:RouteTable", "aws:ec2/vpcDhcpOptions:VpcDhcpOptions"} {
		if n := len(ofType(res, typ)); n != 0 {
			t.Errorf("adopted VPC: %d %s created", n, typ)
		}
	}
	ns := ofType(res, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
	if len(ns) != 1 || ns[0].Inputs["vpc"] != "vpc-existing" {
		t.Errorf("the private namespace should live in the adopted VPC: %+v", ns)
	}
	if state.Get("vpcId").AsString() != "vpc-existing" || state.Get("taskSubnetIds").AsArray().Get(0).AsString() != "subnet-priv1" {
		t.Errorf("outputs should hand back the adopted ids: %v", state)
	}
	err := constructErr(t, "defang:aws:Network", map[string]property.Value{
		"privateDomain": str("x.internal"), "vpcId": str("vpc-existing"),
	})
	if !strings.Contains(err.Error(), "publicSubnetIds and privateSubnetIds") {
		t.Errorf("want a sentence naming the missing subnet inputs, got %v", err)
	}
}

func target(service string, port, published int, proto string) property.Value {
	return obj(map[string]property.Value{"service": str(service), "port": property.New(float64(port)),
		"publishedPort": property.New(float64(published)), "appProtocol": str(proto), "healthCheckPath": str("/health")})
}

func TestLoadBalancerListenersAndExposure(t *testing.T) {
	res, state := construct(t, "defang:aws:LoadBalancer", "shop", map[string]property.Value{
		"vpcId": str("vpc-1"), "subnetIds": strs("subnet-1", "subnet-2"),
		"targets": property.New(property.NewArray([]property.Value{
			target("web", 8080, 80, "http"), target("admin", 3000, 3000, "http"), target("mqtt", 1883, 1883, "tcp"),
		})),
	})
	lbs := ofType(res, "aws:lb/loadBalancer:LoadBalancer")
	if len(lbs) != 2 {
		t.Fatalf("want an ALB and an NLB, got %d load balancers", len(lbs))
	}
	listeners := map[float64]string{}
	for _, l := range ofType(res, "aws:lb/listener:Listener") {
		listeners[l.Inputs["port"].(float64)] = l.Inputs["protocol"].(string)
	}
	if listeners[80] != "HTTP" || listeners[3000] != "HTTP" || listeners[1883] != "TCP" || len(listeners) != 3 {
		t.Errorf("listeners: %v", listeners)
	}
	for _, tg := range ofType(res, "aws:lb/targetGroup:TargetGroup") {
		if tg.Inputs["targetType"] != "ip" {
			t.Errorf("%s: Fargate targets register by IP", tg.Name)
		}
		if tg.Inputs["protocol"] == "HTTP" {
			hc := tg.Inputs["healthCheck"].(map[string]any)
			if hc["path"] != "/health" {
				t.Errorf("%s: health check path from the compose healthcheck, got %v", tg.Name, hc["path"])
			}
		}
	}
	open := map[float64]bool{}
	for _, r := range ofType(res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
		if r.Inputs["cidrIpv4"] == "0.0.0.0/0" {
			open[r.Inputs["fromPort"].(float64)] = true
		}
	}
	if len(open) != 3 || !open[80] || !open[3000] || !open[1883] {
		t.Errorf("only the listener ports may be open to the world, got %v", open)
	}
	eps := state.Get("endpoints").AsMap()
	if u := eps.Get("web:8080").AsString(); !strings.HasPrefix(u, "http://") || strings.HasSuffix(u, ":80") {
		t.Errorf("port 80 endpoint should be a plain http URL: %s", u)
	}
	if u := eps.Get("admin:3000").AsString(); !strings.HasSuffix(u, ":3000") {
		t.Errorf("admin endpoint should carry its port: %s", u)
	}

	err := constructErr(t, "defang:aws:LoadBalancer", map[string]property.Value{
		"vpcId": str("vpc-1"), "subnetIds": strs("subnet-1"),
		"targets": property.New(property.NewArray([]property.Value{target("a", 80, 80, "http"), target("b", 8080, 80, "http")})),
	})
	if !strings.Contains(err.Error(), `service "b"`) || !strings.Contains(err.Error(), `service "a"`) || !strings.Contains(err.Error(), "published port 80") {
		t.Errorf("duplicate published port should name both services: %v", err)
	}
}

func fargateInputs(mode string) map[string]property.Value {
	return map[string]property.Value{
		"projectName": str("shop"), "serviceName": str("api"), "mode": str(mode),
		"container": obj(map[string]property.Value{
			"cpus": property.New(1.0), "memoryMiB": property.New(3000.0),
			"environment": obj(map[string]property.Value{"PLAIN": str("value")}),
			"ports": property.New(property.NewArray([]property.Value{
				obj(map[string]property.Value{"port": property.New(8080.0), "mode": str("ingress"), "appProtocol": str("http"), "protocol": str("tcp")}),
			})),
			"healthcheck": obj(map[string]property.Value{"test": strs("CMD", "curl", "-f", "http://localhost:8080/"), "intervalSeconds": property.New(2.0)}),
		}),
		"image": str("nginx:1.27"), "clusterArn": str("arn:cluster"), "vpcId": str("vpc-1"),
		"subnetIds": strs("subnet-1"), "assignPublicIp": property.New(true), "privateNamespaceId": str("ns-1"),
		"networkSecurityGroupIds": strs("sg-net"), "albSecurityGroupId": str("sg-alb"),
		"targetGroupArns": obj(map[string]property.Value{"8080": str("arn:tg")}),
		"secrets":         obj(map[string]property.Value{"API_KEY": str("arn:aws:ssm:us-east-1:123456789012:parameter/defang/shop/dev/config/API_KEY")}),
		"region":          str("us-east-1"),
	}
}

func TestFargateServicePerMode(t *testing.T) {
	for _, tc := range []struct {
		mode           string
		capacity       string
		minHealthy     float64
		circuitBreaker bool
		retention      float64
	}{
		{"affordable", "FARGATE_SPOT", 0, false, 1},
		{"balanced", "FARGATE", 100, false, 7},
		{"high_availability", "FARGATE", 100, true, 30},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			res, _ := construct(t, "defang:aws:FargateService", "shop-api", fargateInputs(tc.mode))
			svc := ofType(res, "aws:ecs/service:Service")[0]
			strategy := svc.Inputs["capacityProviderStrategies"].([]any)[0].(map[string]any)
			if strategy["capacityProvider"] != tc.capacity {
				t.Errorf("capacity: got %v, want %s", strategy["capacityProvider"], tc.capacity)
			}
			if svc.Inputs["deploymentMinimumHealthyPercent"] != tc.minHealthy {
				t.Errorf("minimum healthy: got %v", svc.Inputs["deploymentMinimumHealthyPercent"])
			}
			cb := svc.Inputs["deploymentCircuitBreaker"].(map[string]any)
			if cb["enable"] != tc.circuitBreaker || cb["rollback"] != tc.circuitBreaker {
				t.Errorf("circuit breaker: %v", cb)
			}
			if lg := ofType(res, "aws:cloudwatch/logGroup:LogGroup")[0]; lg.Inputs["retentionInDays"] != tc.retention ||
				lg.Inputs["name"] != "/defang/shop/dev/api" {
				t.Errorf("log group: %v", lg.Inputs)
			}
			td := ofType(res, "aws:ecs/taskDefinition:TaskDefinition")[0]
			if td.Inputs["cpu"] != "1024" || td.Inputs["memory"] != "3072" {
				t.Errorf("1 vCPU and 3000 MiB should size to 1024/3072, got %v/%v", td.Inputs["cpu"], td.Inputs["memory"])
			}
			var defs []map[string]any
			if err := json.Unmarshal([]byte(td.Inputs["containerDefinitions"].(string)), &defs); err != nil {
				t.Fatal(err)
			}
			def := defs[0]
			secrets, _ := json.Marshal(def["secrets"])
			env, _ := json.Marshal(def["environment"])
			if !strings.Contains(string(secrets), `"valueFrom":"arn:aws:ssm`) || strings.Contains(string(env), "API_KEY") {
				t.Errorf("secrets must be secret references, not environment: secrets=%s env=%s", secrets, env)
			}
			if hc := def["healthCheck"].(map[string]any); hc["interval"] != 5.0 {
				t.Errorf("healthcheck interval must be clamped to ECS's minimum 5, got %v", hc["interval"])
			}
			for _, rule := range ofType(res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
				if rule.Inputs["cidrIpv4"] != nil {
					t.Errorf("%s: a service must not be open to a CIDR", rule.Name)
				}
				if src := rule.Inputs["referencedSecurityGroupId"]; src != "sg-alb" && src != "sg-net" {
					t.Errorf("%s: unexpected source %v", rule.Name, src)
				}
			}
			var policy string
			for _, p := range ofType(res, "aws:iam/rolePolicy:RolePolicy") {
				policy = p.Inputs["policy"].(string)
			}
			if !strings.Contains(policy, `"ssm:GetParameters"`) || !strings.Contains(policy, "parameter/defang/shop/dev/config/API_KEY") {
				t.Errorf("execution role should read exactly the service's parameters: %s", policy)
			}
		})
	}
}

func TestFargateServiceRejectsOversizedTask(t *testing.T) {
	in := fargateInputs("balanced")
	in["container"] = obj(map[string]property.Value{"cpus": property.New(32.0)})
	err := constructErr(t, "defang:aws:FargateService", in)
	if !strings.Contains(err.Error(), `service "api"`) || !strings.Contains(err.Error(), "16 vCPU") {
		t.Errorf("want the service and the Fargate limit named, got %v", err)
	}
}

func TestBuildPipelinePerMode(t *testing.T) {
	ctxDir := t.TempDir()
	writeFile(t, ctxDir+"/Dockerfile", "FROM scratch\n")
	for mode, compute := range map[string]string{"affordable": "BUILD_GENERAL1_SMALL", "balanced": "BUILD_GENERAL1_SMALL", "high_availability": "BUILD_GENERAL1_MEDIUM"} {
		t.Run(mode, func(t *testing.T) {
			res, state := construct(t, "defang:aws:BuildPipeline", "shop", map[string]property.Value{
				"projectName": str("shop"), "mode": str(mode),
				"builds": property.New(property.NewArray([]property.Value{obj(map[string]property.Value{
					"service": str("web"), "context": str(ctxDir),
				})})),
			})
			project := ofType(res, "aws:codebuild/project:Project")[0]
			if env := project.Inputs["environment"].(map[string]any); env["computeType"] != compute || env["privilegedMode"] != true {
				t.Errorf("codebuild environment: %v", env)
			}
			builds := ofType(res, "defang:aws:ImageBuild")
			if len(builds) != 1 || !strings.HasPrefix(builds[0].Inputs["contextDigest"].(string), "sha256:") {
				t.Fatalf("one ImageBuild with the context digest: %+v", builds)
			}
			if pab := ofType(res, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"); len(pab) != 1 || pab[0].Inputs["blockPublicPolicy"] != true {
				t.Errorf("the source bucket must block public access")
			}
			if uri := state.Get("imageUris").AsMap().Get("web").AsString(); !strings.Contains(uri, "@sha256:") {
				t.Errorf("the image is referenced by digest: %s", uri)
			}
		})
	}
	err := constructErr(t, "defang:aws:BuildPipeline", map[string]property.Value{
		"projectName": str("shop"),
		"builds": property.New(property.NewArray([]property.Value{obj(map[string]property.Value{
			"service": str("web"), "context": str(t.TempDir()),
		})})),
	})
	if !strings.Contains(err.Error(), `service "web"`) {
		t.Errorf("a missing Dockerfile should name the service: %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
