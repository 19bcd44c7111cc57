// Package standin serves stand-ins for the cloud provider plugins
// (pulumi-resource-aws, pulumi-resource-random, pulumi-resource-azure-native)
// that cannot be installed here. Each stand-in is a real gRPC resource
// provider on loopback; the Pulumi engine attaches to it when
// PULUMI_DEBUG_PROVIDERS names its port (see DebugProvidersEnv).
//
// A stand-in records every call, keeps the resources it created, and
// answers deterministically: ids and outputs depend only on the resource's
// type, name (URN) and inputs, never on time or chance. AWS answers come
// from provider/fakecloud, the same functions the offline plan uses.
package standin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
)

// Names of the stand-ins Start knows, and the plugin version each reports
// (the versions our SDK dependencies ask for, so the engine does not warn).
const (
	AWS         = "aws"
	Random      = "random"
	AzureNative = "azure-native"
)

var defaultVersions = map[string]string{
	AWS:         "6.83.2",
	Random:      "4.19.0",
	AzureNative: "2.92.0",
}

// DefaultRegion is the region an AWS stand-in answers with unless
// WithRegion says otherwise.
const DefaultRegion = "us-west-2"

// maxMessageSize matches the engine's gRPC limit (400 MB).
const maxMessageSize = 400 * 1024 * 1024

// Server is one running stand-in provider.
type Server struct {
	Name string // "aws", "random" or "azure-native"
	Port int    // the loopback port it listens on

	version string
	region  string
	blobURL func(account string) string
	t       *tables
	mem     *memory                  // what the cloud remembers beyond live resources (order.go)
	slow    map[string]time.Duration // WithSlowCreates
	srv     *grpc.Server
	lis     net.Listener
	served  chan struct{}
	stop    sync.Once

	mu            sync.Mutex
	engineAddress string
}

// Option configures Start.
type Option func(*options)

type options struct {
	region, version, recordFile string
	port                        int
	blobEndpoint                func(account string) string
	slow                        map[string]time.Duration // type -> delay of its creates (order.go)
}

// WithRegion sets the AWS region the stand-in answers with (invokes, ARNs,
// DNS names). Default: DefaultRegion.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithRecordFile appends a JSON-lines copy of every call to path, secrets
// written as "[secret]" and unknowns as "[unknown]".
func WithRecordFile(path string) Option { return func(o *options) { o.recordFile = path } }

// WithVersion overrides the plugin version the stand-in reports.
func WithVersion(version string) Option { return func(o *options) { o.version = version } }

// WithPort listens on a fixed loopback port instead of a free one.
func WithPort(port int) Option { return func(o *options) { o.port = port } }

// WithBlobEndpoint makes an azure-native stand-in report each storage
// account's primaryEndpoints.blob as base(account name) instead of
// https://<account>.blob.core.windows.net/, so that clients of the account
// reach a fake such as AzureAPI: WithBlobEndpoint(api.BlobEndpoint). The
// other endpoints are unchanged.
func WithBlobEndpoint(base func(account string) string) Option {
	return func(o *options) { o.blobEndpoint = base }
}

// Start serves the stand-in named name ("aws", "random" or "azure-native")
// on 127.0.0.1 and a free port.
func Start(name string, opts ...Option) (*Server, error) {
	o := options{region: DefaultRegion, version: defaultVersions[name]}
	if o.version == "" {
		return nil, fmt.Errorf("no stand-in provider named %q (known: aws, random, azure-native)", name)
	}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{Name: name, version: o.version, region: o.region, blobURL: o.blobEndpoint, t: newTables(),
		mem: newMemory(), slow: o.slow, served: make(chan struct{})}
	if o.recordFile != "" {
		f, err := os.OpenFile(o.recordFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("stand-in %s: %w", name, err)
		}
		s.t.record = f
	}
	lis, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(o.port))
	if err != nil {
		if s.t.record != nil {
			s.t.record.Close()
		}
		return nil, fmt.Errorf("stand-in %s: %w", name, err)
	}
	s.lis = lis
	s.Port = lis.Addr().(*net.TCPAddr).Port
	s.srv = grpc.NewServer(grpc.MaxRecvMsgSize(maxMessageSize), grpc.MaxSendMsgSize(maxMessageSize))
	pulumirpc.RegisterResourceProviderServer(s.srv, &rpc{s: s})
	hs := health.NewServer()
	healthgrpc.RegisterHealthServer(s.srv, hs)
	hs.SetServingStatus("pulumirpc.ResourceProvider", healthgrpc.HealthCheckResponse_SERVING)
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(lis)
	}()
	return s, nil
}

// Stop stops serving at once, ending any call in progress. It is safe to
// call more than once.
func (s *Server) Stop() {
	s.stop.Do(func() {
		s.srv.Stop()
		<-s.served
		s.t.mu.Lock()
		if s.t.record != nil {
			s.t.record.Close()
			s.t.record = nil
		}
		s.t.mu.Unlock()
	})
}

// Address is the stand-in's gRPC address, 127.0.0.1:<port>.
func (s *Server) Address() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// Version is the plugin version the stand-in reports.
func (s *Server) Version() string { return s.version }

// Region is the AWS region the stand-in answers with.
func (s *Server) Region() string { return s.region }

// EngineAddress is the engine address given by the last Attach or
// Handshake, "" before the engine attached.
func (s *Server) EngineAddress() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.engineAddress
}

// DebugProvidersEnv is the value of PULUMI_DEBUG_PROVIDERS that attaches the
// engine to the servers: "aws:40001,random:40002".
func DebugProvidersEnv(servers ...*Server) string {
	parts := make([]string, len(servers))
	for i, s := range servers {
		parts[i] = s.Name + ":" + strconv.Itoa(s.Port)
	}
	return strings.Join(parts, ",")
}

var (
	// inOpts read what the engine sends: secrets, unknowns, resource
	// references and output values kept as such.
	inOpts = plugin.MarshalOptions{Label: "standin", KeepUnknowns: true, KeepSecrets: true, KeepResources: true,
		KeepOutputValues: true}
	// outOpts write answers; output values degrade to secrets/unknowns.
	outOpts = plugin.MarshalOptions{Label: "standin", KeepUnknowns: true, KeepSecrets: true, KeepResources: true}
)

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return nil, nil
	}
	m, err := plugin.UnmarshalProperties(s, inOpts)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "stand-in: bad properties: %v", err)
	}
	return m, nil
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, outOpts)
}

// rpc implements pulumirpc.ResourceProviderServer for a Server.
type rpc struct {
	pulumirpc.UnimplementedResourceProviderServer
	s *Server
}

func (r *rpc) setEngine(addr string) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.engineAddress = addr
}

func (r *rpc) Handshake(_ context.Context, req *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	r.setEngine(req.GetEngineAddress())
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true, AcceptOutputs: true}, nil
}

func (r *rpc) Attach(_ context.Context, req *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	r.setEngine(req.GetAddress())
	return &emptypb.Empty{}, nil
}

func (r *rpc) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: r.s.version}, nil
}

func (r *rpc) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{
		Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, r.s.Name, r.s.version),
	}, nil
}

func (r *rpc) GetMapping(context.Context, *pulumirpc.GetMappingRequest) (*pulumirpc.GetMappingResponse, error) {
	return &pulumirpc.GetMappingResponse{}, nil
}

func (r *rpc) GetMappings(context.Context, *pulumirpc.GetMappingsRequest) (*pulumirpc.GetMappingsResponse, error) {
	return &pulumirpc.GetMappingsResponse{}, nil
}

func (r *rpc) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (r *rpc) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	r.s.t.add(Call{Method: "CheckConfig", URN: req.GetUrn(), Type: req.GetType(), Inputs: news})
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (r *rpc) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	r.s.t.add(Call{Method: "DiffConfig", URN: req.GetUrn(), Type: req.GetType(), ID: req.GetId(), Inputs: news})
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (r *rpc) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	if args == nil {
		args = resource.PropertyMap{}
		for k, v := range req.GetVariables() {
			args[resource.PropertyKey(k)] = resource.NewProperty(v)
		}
	}
	r.s.t.add(Call{Method: "Configure", URN: req.GetUrn(), Type: req.GetType(), ID: req.GetId(), Inputs: args})
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true,
		AcceptOutputs: true}, nil
}

// Check does what the real providers' Check does with the cloud's rules
// (provider/cloudrules), for every type: it autonames a resource whose
// name input is absent (the logical name, the separator and the fake
// cloud's stable stand-in for the random suffix), refusing with the
// provider's error when that is over the type's maximum, as pulumi's
// resource.NewUniqueName does; then it answers every input that breaks a
// rule as a CheckFailure in the provider's or API's words, so that
// `pulumi preview` fails as it would against the real provider.
func (r *rpc) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	urn, typ := req.GetUrn(), typeOf(req.GetType(), req.GetUrn())
	call := Call{Method: "Check", URN: urn, Type: typ, Inputs: news}
	name := resource.URN(urn).Name()
	in := resource.FromResourcePropertyMap(news)
	named, err := fakecloud.Autoname(typ, name, in)
	if err != nil {
		call.Error = err.Error()
		r.s.t.add(call)
		return nil, status.Error(codes.Unknown, err.Error())
	}
	var failures []*pulumirpc.CheckFailure
	violations := cloudrules.Check(typ, name, named)
	for _, v := range violations {
		failures = append(failures, &pulumirpc.CheckFailure{Property: v.Property, Reason: v.Message})
	}
	if len(violations) > 0 {
		call.Error = violations.Error()
	}
	r.s.t.add(call)
	checked := req.GetNews()
	if !property.New(named).Equals(property.New(in)) {
		// The autonamed name is part of the checked inputs, as the real
		// providers answer.
		if checked, err = marshal(resource.ToResourcePropertyMap(named)); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.CheckResponse{Inputs: checked, Failures: failures}, nil
}

func (r *rpc) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if olds == nil {
		// State written before the engine kept inputs: compare the outputs.
		if olds, err = unmarshal(req.GetOlds()); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	r.s.t.add(Call{Method: "Diff", URN: req.GetUrn(), Type: typeOf(req.GetType(), req.GetUrn()), ID: req.GetId(),
		Inputs: news})
	changed := changedKeys(resource.FromResourcePropertyMap(olds), resource.FromResourcePropertyMap(news),
		req.GetIgnoreChanges())
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true}, nil
	}
	replaces, detailed := replaceDiff(typeOf(req.GetType(), req.GetUrn()), resource.FromResourcePropertyMap(olds),
		resource.FromResourcePropertyMap(news), changed)
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces,
		DetailedDiff: detailed, HasDetailedDiff: true}, nil
}

func (r *rpc) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	urn, typ := req.GetUrn(), typeOf(req.GetType(), req.GetUrn())
	call := Call{Method: "Create", URN: urn, Type: typ, Inputs: inputs, Preview: req.GetPreview()}
	if !req.GetPreview() {
		if msg := r.s.t.failure(urn); msg != "" {
			call.Error = msg
			r.s.t.add(call)
			return nil, status.Error(codes.Unknown, msg)
		}
	}
	in := resource.FromResourcePropertyMap(inputs)
	if !req.GetPreview() {
		r.s.slowDown(typ)
		if err := r.s.refuseCreate(typ, urn, in); err != nil {
			call.Error = err.Error()
			r.s.t.add(call)
			return nil, status.Error(codes.Unknown, err.Error())
		}
	}
	id, out, err := r.s.state(typ, urn, in, true)
	if err != nil {
		call.Error = err.Error()
		r.s.t.add(call)
		return nil, err
	}
	if req.GetPreview() {
		id, out = "", maskComputed(in, out)
	} else {
		out = r.s.afterCreate(typ, in, out)
	}
	outputs := resource.ToResourcePropertyMap(out)
	call.ID, call.Outputs = id, outputs
	r.s.t.add(call)
	if !req.GetPreview() {
		r.s.t.put(Resource{URN: urn, Type: typ, ID: id, Inputs: inputs, Outputs: outputs})
	}
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (r *rpc) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	urn, typ := req.GetUrn(), typeOf(req.GetType(), req.GetUrn())
	call := Call{Method: "Update", URN: urn, Type: typ, ID: req.GetId(), Inputs: news, Preview: req.GetPreview()}
	if !req.GetPreview() {
		if msg := r.s.t.failure(urn); msg != "" {
			call.Error = msg
			r.s.t.add(call)
			return nil, status.Error(codes.Unknown, msg)
		}
	}
	in := resource.FromResourcePropertyMap(news)
	_, out, err := r.s.state(typ, urn, in, false)
	if err != nil {
		call.Error = err.Error()
		r.s.t.add(call)
		return nil, err
	}
	if req.GetPreview() && property.New(in).HasComputed() {
		out = maskComputed(in, out)
	}
	outputs := resource.ToResourcePropertyMap(out)
	call.Outputs = outputs
	r.s.t.add(call)
	if !req.GetPreview() {
		r.s.t.put(Resource{URN: urn, Type: typ, ID: req.GetId(), Inputs: news, Outputs: outputs})
	}
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (r *rpc) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	inputs, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if inputs == nil {
		if inputs, err = unmarshal(req.GetProperties()); err != nil {
			return nil, err
		}
	}
	typ := typeOf(req.GetType(), req.GetUrn())
	call := Call{Method: "Delete", URN: req.GetUrn(), Type: typ, ID: req.GetId(), Inputs: inputs}
	if err := r.s.refuseDelete(typ, resource.FromResourcePropertyMap(inputs)); err != nil {
		call.Error = err.Error()
		r.s.t.add(call)
		return nil, status.Error(codes.Unknown, err.Error())
	}
	r.s.t.add(call)
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	r.s.t.removeIf(req.GetUrn(), req.GetId(), resource.FromResourcePropertyMap(state))
	return &emptypb.Empty{}, nil
}

// Read answers with the state the engine already has (so that a refresh
// changes nothing); a read without state (a `get` or an import) answers
// with what the stand-in holds, or else with fresh deterministic state.
func (r *rpc) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	props, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetInputs())
	if err != nil {
		return nil, err
	}
	urn, typ, id := req.GetUrn(), typeOf(req.GetType(), req.GetUrn()), req.GetId()
	call := Call{Method: "Read", URN: urn, Type: typ, ID: id, Inputs: props}
	if len(props) == 0 {
		if live, ok := r.s.t.get(urn); ok && live.ID == id {
			props, inputs = live.Outputs, live.Inputs
		} else {
			in := resource.FromResourcePropertyMap(inputs)
			_, out, err := r.s.state(typ, urn, in, false)
			if err != nil {
				call.Error = err.Error()
				r.s.t.add(call)
				return nil, err
			}
			props = resource.ToResourcePropertyMap(out)
		}
	}
	call.Outputs = props
	r.s.t.add(call)
	state, err := marshal(props)
	if err != nil {
		return nil, err
	}
	var ins *structpb.Struct
	if inputs != nil {
		if ins, err = marshal(inputs); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.ReadResponse{Id: id, Properties: state, Inputs: ins}, nil
}

func (r *rpc) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	call := Call{Method: "Invoke", Token: req.GetTok(), Inputs: args, Preview: req.GetPreview()}
	out, err := r.s.invoke(req.GetTok(), resource.FromResourcePropertyMap(args))
	if err != nil {
		call.Error = err.Error()
		r.s.t.add(call)
		return nil, status.Error(codes.Unknown, err.Error())
	}
	call.Outputs = resource.ToResourcePropertyMap(out)
	r.s.t.add(call)
	ret, err := marshal(call.Outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

// state is the id and outputs of a resource of this stand-in's cloud.
// creating says whether the state is for a Create: a random resource
// created again under the same URN (a replacement, or an up after a
// destroy) draws new values, as the real random provider does.
func (s *Server) state(typ, urn string, inputs property.Map, creating bool) (string, property.Map, error) {
	name := resource.URN(urn).Name()
	switch s.Name {
	case AWS:
		// The engine has called Check first, which refused what breaks
		// the rules (see rpc.Check), so an error here is a Create or Read
		// of inputs that skipped Check.
		return fakecloud.AWSState(typ, name, s.region, inputs)
	case Random:
		id, out := randomState(typ, s.t.randomSeed(urn, creating), inputs)
		return id, out, nil
	case AzureNative:
		id, out := fakecloud.AzureState(typ, name, inputs)
		if typ == "azure-native:storage:StorageAccount" && s.blobURL != nil {
			out = withBlobEndpoint(out, s.blobURL)
		}
		return id, out, nil
	}
	return "", property.Map{}, fmt.Errorf("stand-in %s has no resources", s.Name)
}

// invoke answers a provider function.
func (s *Server) invoke(token string, args property.Map) (property.Map, error) {
	switch s.Name {
	case AWS:
		out, err := fakecloud.AWSInvoke(token, s.region, args)
		var unknown *fakecloud.UnknownInvokeError
		if errors.As(err, &unknown) {
			return property.Map{}, fmt.Errorf("the aws stand-in has no answer for the invoke %s", token)
		}
		return out, err
	case AzureNative:
		if token == "azure-native:authorization:getClientConfig" {
			return property.NewMap(map[string]property.Value{
				"clientId":       property.New(azureZeroID),
				"objectId":       property.New(azureZeroID),
				"subscriptionId": property.New(azureZeroID),
				"tenantId":       property.New(azureZeroID),
			}), nil
		}
		// Everything else the components call (SAS, keys...) is answered by
		// the same fake Azure as the offline plan.
		if out, err := fakecloud.AzureInvoke(token, args); !errors.As(err, new(*fakecloud.UnknownInvokeError)) {
			return out, err
		}
	}
	return property.Map{}, fmt.Errorf("the %s stand-in has no answer for the invoke %s", s.Name, token)
}

// withBlobEndpoint replaces a storage account's primaryEndpoints.blob with
// base(its name), keeping the other endpoints.
func withBlobEndpoint(out property.Map, base func(account string) string) property.Map {
	name := out.Get("name")
	if !name.IsString() {
		return out
	}
	endpoints := map[string]property.Value{}
	if ep := out.Get("primaryEndpoints"); ep.IsMap() {
		endpoints = ep.AsMap().AsMap()
	}
	endpoints["blob"] = property.New(base(name.AsString()))
	return out.Set("primaryEndpoints", property.New(property.NewMap(endpoints)))
}

// azureZeroID is the subscription, tenant and client id of the fake Azure.
const azureZeroID = "00000000-0000-0000-0000-000000000000"

// azureState echoes the inputs, adds a name when there is none and gives an

// typeOf is the request's type, or the type in its URN for engines that
// do not send one.
func typeOf(typ, urn string) string {
	if typ != "" {
		return typ
	}
	if u := resource.URN(urn); u.IsValid() {
		return string(u.Type())
	}
	return ""
}

// maskComputed is a preview's answer: the inputs as they are, and every
// output that is not an input unknown.
func maskComputed(inputs, outputs property.Map) property.Map {
	out := map[string]property.Value{}
	for k, v := range outputs.All {
		if in, ok := inputs.GetOk(k); ok {
			out[k] = in
			continue
		}
		out[k] = property.New(property.Computed).WithSecret(v.Secret())
	}
	return property.NewMap(out)
}
