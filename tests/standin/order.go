package standin

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
)

// What the clouds refuse about order and references, and the little they
// remember beyond the resources that exist: a real `pulumi up` fails on
// these at the API call (Create or Delete), never at preview, so the
// stand-ins refuse them there too, in the API's wording.

// Resource types the order rules look at.
const (
	ecsServiceType          = "aws:ecs/service:Service"
	ecsClusterProvidersType = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
	ecsTaskDefinitionType   = "aws:ecs/taskDefinition:TaskDefinition"
	lbListenerType          = "aws:lb/listener:Listener"
	lbListenerRuleType      = "aws:lb/listenerRule:ListenerRule"
	rdsInstanceType         = "aws:rds/instance:Instance"
	docdbClusterType        = "aws:docdb/cluster:Cluster"
	keyVaultSecretType      = "azure-native:keyvault:Secret"
)

// memory is what a stand-in's cloud keeps that is not a live resource:
// snapshots outlive the database they were taken of, a deleted Key Vault
// secret stays soft-deleted (azure-native never purges, and the stand-in
// has no purge either), and task definition revisions only ever count up.
type memory struct {
	mu               sync.Mutex
	dbSnapshots      map[string]bool // RDS DB snapshot identifiers, lowercase
	clusterSnapshots map[string]bool // DocumentDB cluster snapshot identifiers, lowercase
	deletedSecrets   map[string]bool // secretKey of each soft-deleted secret
	revisions        map[string]int  // task definition family -> latest revision
}

func newMemory() *memory {
	return &memory{dbSnapshots: map[string]bool{}, clusterSnapshots: map[string]bool{},
		deletedSecrets: map[string]bool{}, revisions: map[string]int{}}
}

// WithSlowCreates makes every create (not previews) of the given types take
// d before it answers, as a real cluster association or listener takes
// seconds. An engine test then finds deterministically a resource that
// does not wait for them although the cloud needs it to (an ECS service
// created before its capacity provider association or its listener is
// refused), instead of only when the engine happens to order it so.
func WithSlowCreates(d time.Duration, types ...string) Option {
	return func(o *options) {
		if o.slow == nil {
			o.slow = map[string]time.Duration{}
		}
		for _, typ := range types {
			o.slow[typ] = d
		}
	}
}

// slowDown waits as WithSlowCreates asked for creates of typ.
func (s *Server) slowDown(typ string) {
	if d := s.slow[typ]; d > 0 {
		time.Sleep(d)
	}
}

// refuseCreate is the error the cloud answers a create of typ with, given
// what the stand-in holds now; nil when the cloud accepts it.
func (s *Server) refuseCreate(typ, urn string, inputs property.Map) error {
	switch {
	case s.Name == AWS && typ == ecsServiceType:
		if err := s.refuseCapacityProviders(urn, inputs); err != nil {
			return err
		}
		return s.refuseTargetGroups(urn, inputs)
	case s.Name == AzureNative && typ == keyVaultSecretType:
		s.mem.mu.Lock()
		deleted := s.mem.deletedSecrets[secretKey(inputs)]
		s.mem.mu.Unlock()
		if deleted {
			// Key Vault keeps a deleted secret recoverable for its retention
			// period and refuses its name meanwhile: 409 Conflict, inner code
			// ObjectIsDeletedButRecoverable.
			// https://learn.microsoft.com/en-us/azure/key-vault/general/soft-delete-overview
			// (wording as Azure returns it, quoted in Microsoft's Key Vault
			// Python quickstart and in azure-sdk-for-cpp's Key Vault tests).
			name := str(inputs, "secretName")
			return fmt.Errorf(`Status=409 Code="Conflict" Message="Secret %s is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged."`, name)
		}
	}
	return nil
}

// refuseCapacityProviders: CreateService refuses a capacity provider
// strategy naming a provider the cluster has not been associated with
// (PutClusterCapacityProviders, which aws:ecs/clusterCapacityProviders
// calls). FARGATE and FARGATE_SPOT too "only need to be associated with a
// cluster to be used" ("A capacity provider must be associated with the
// cluster to be used in a capacity provider strategy").
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html
// https://sdk.amazonaws.com/kotlin/api/1.0.65/ecs/aws.sdk.kotlin.services.ecs.model/-update-service-request/capacity-provider-strategy.html
// botocore 1.44.5 ecs CreateService errors: InvalidParameterException. The
// message is ECS's first sentence as users quote it.
func (s *Server) refuseCapacityProviders(urn string, inputs property.Map) error {
	strategies := inputs.Get("capacityProviderStrategies")
	if !strategies.IsArray() || strategies.AsArray().Len() == 0 {
		return nil
	}
	cluster := clusterName(str(inputs, "cluster"))
	associated := map[string]bool{}
	for _, r := range s.t.liveOfType(ecsClusterProvidersType) {
		in := resource.FromResourcePropertyMap(r.Inputs)
		if clusterName(str(in, "clusterName")) != cluster {
			continue
		}
		for _, p := range strings2(in.Get("capacityProviders")) {
			associated[p] = true
		}
	}
	for _, st := range strategies.AsArray().AsSlice() {
		if !st.IsMap() {
			continue
		}
		p := st.AsMap().Get("capacityProvider")
		if !p.IsString() || associated[p.AsString()] {
			continue
		}
		return fmt.Errorf("creating ECS Service (%s): InvalidParameterException: The specified capacity provider "+
			"strategy cannot contain a capacity provider that is not associated with the cluster.", nameOf(urn, inputs))
	}
	return nil
}

// refuseTargetGroups: CreateService refuses a load balancer whose target
// group no listener or listener rule forwards to yet.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb.html
// ("The target group with targetGroupArn ... does not have an associated
// load balancer.", as ECS words it in hashicorp/terraform#32908).
func (s *Server) refuseTargetGroups(urn string, inputs property.Map) error {
	lbs := inputs.Get("loadBalancers")
	if !lbs.IsArray() {
		return nil
	}
	forwarded := map[string]bool{}
	for _, typ := range []string{lbListenerType, lbListenerRuleType} {
		key := "defaultActions"
		if typ == lbListenerRuleType {
			key = "actions"
		}
		for _, r := range s.t.liveOfType(typ) {
			in := resource.FromResourcePropertyMap(r.Inputs)
			for _, arn := range forwardTargets(in.Get(key)) {
				forwarded[arn] = true
			}
		}
	}
	for _, lb := range lbs.AsArray().AsSlice() {
		if !lb.IsMap() {
			continue
		}
		arn := lb.AsMap().Get("targetGroupArn")
		if !arn.IsString() || forwarded[arn.AsString()] {
			continue
		}
		return fmt.Errorf("creating ECS Service (%s): InvalidParameterException: The target group with "+
			"targetGroupArn %s does not have an associated load balancer.", nameOf(urn, inputs), arn.AsString())
	}
	return nil
}

// forwardTargets are the target group ARNs that listener actions forward
// to: an action's targetGroupArn, or each of forward.targetGroups[].arn.
func forwardTargets(actions property.Value) []string {
	if !actions.IsArray() {
		return nil
	}
	var out []string
	for _, a := range actions.AsArray().AsSlice() {
		if !a.IsMap() {
			continue
		}
		m := a.AsMap()
		if v := m.Get("targetGroupArn"); v.IsString() {
			out = append(out, v.AsString())
		}
		if fwd := m.Get("forward"); fwd.IsMap() {
			if tgs := fwd.AsMap().Get("targetGroups"); tgs.IsArray() {
				for _, tg := range tgs.AsArray().AsSlice() {
					if tg.IsMap() && tg.AsMap().Get("arn").IsString() {
						out = append(out, tg.AsMap().Get("arn").AsString())
					}
				}
			}
		}
	}
	return out
}

// refuseDelete is the error the cloud answers a delete with; a delete it
// accepts is remembered (the final snapshot it takes, the secret it
// soft-deletes).
func (s *Server) refuseDelete(typ string, inputs property.Map) error {
	switch {
	case s.Name == AWS && (typ == rdsInstanceType || typ == docdbClusterType):
		// skipFinalSnapshot defaults to false: terraform-provider-aws
		// internal/service/rds/instance.go and docdb/cluster.go
		// ("skip_final_snapshot": Default false); with it false the delete
		// takes a final snapshot named finalSnapshotIdentifier.
		if v := inputs.Get("skipFinalSnapshot"); v.IsBool() && v.AsBool() {
			return nil
		}
		id := str(inputs, "finalSnapshotIdentifier")
		if id == "" {
			return nil
		}
		s.mem.mu.Lock()
		defer s.mem.mu.Unlock()
		// Snapshot identifiers are "stored as a lowercase string" (botocore
		// 1.44.5 rds DescribeDBSnapshotsMessage.DBSnapshotIdentifier and
		// CreateDBClusterSnapshotMessage.DBClusterSnapshotIdentifier).
		key := strings.ToLower(id)
		if typ == rdsInstanceType {
			if s.mem.dbSnapshots[key] {
				// botocore 1.44.5 rds DeleteDBInstance: DBSnapshotAlreadyExistsFault,
				// code DBSnapshotAlreadyExists; wording as in
				// cloud-custodian/cloud-custodian#309.
				return fmt.Errorf("deleting RDS DB Instance (%s): DBSnapshotAlreadyExists: Cannot create the snapshot "+
					"because a snapshot with the identifier %s already exists.", str(inputs, "identifier"), id)
			}
			s.mem.dbSnapshots[key] = true
			return nil
		}
		if s.mem.clusterSnapshots[key] {
			// botocore 1.44.5 docdb DeleteDBCluster: DBClusterSnapshotAlreadyExistsFault
			// ("You already have a cluster snapshot with the given identifier.").
			return fmt.Errorf("deleting DocumentDB Cluster (%s): DBClusterSnapshotAlreadyExistsFault: "+
				"Cannot create the snapshot because a snapshot with the identifier %s already exists.",
				str(inputs, "clusterIdentifier"), id)
		}
		s.mem.clusterSnapshots[key] = true
	case s.Name == AzureNative && typ == keyVaultSecretType:
		// Soft delete is on for every vault and cannot be turned off.
		// https://learn.microsoft.com/en-us/azure/key-vault/general/soft-delete-change
		s.mem.mu.Lock()
		s.mem.deletedSecrets[secretKey(inputs)] = true
		s.mem.mu.Unlock()
	}
	return nil
}

// afterCreate adjusts a created resource's outputs for what the cloud
// counts across resources: each RegisterTaskDefinition of a family gets the
// next revision, and the ARN names it
// (arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION;
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html;
// terraform-provider-aws internal/service/ecs/task_definition.go sets arn,
// arn_without_revision and revision). A replaced task definition thus has a
// new ARN, and its service an update, as on AWS.
func (s *Server) afterCreate(typ string, inputs, outputs property.Map) property.Map {
	if s.Name != AWS || typ != ecsTaskDefinitionType {
		return outputs
	}
	family := str(inputs, "family")
	if family == "" {
		return outputs
	}
	s.mem.mu.Lock()
	s.mem.revisions[family]++
	rev := s.mem.revisions[family]
	s.mem.mu.Unlock()
	base := fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s", s.region, fakecloud.AccountID, family)
	return outputs.
		Set("arn", property.New(base+":"+strconv.Itoa(rev))).
		Set("arnWithoutRevision", property.New(base)).
		Set("revision", property.New(float64(rev)))
}

// secretKey identifies a Key Vault secret: its vault (names are global and
// case-insensitive) and its name (case-insensitive too).
// https://learn.microsoft.com/en-us/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers
func secretKey(inputs property.Map) string {
	return strings.ToLower(str(inputs, "vaultName") + "/" + str(inputs, "secretName"))
}

// clusterName is an ECS cluster's name given by name or by ARN
// (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME, or the fake cloud's
// arn:aws:ecs:REGION:ACCOUNT:NAME).
func clusterName(cluster string) string {
	if i := strings.LastIndex(cluster, "/"); i >= 0 {
		return cluster[i+1:]
	}
	if strings.HasPrefix(cluster, "arn:") {
		return cluster[strings.LastIndex(cluster, ":")+1:]
	}
	return cluster
}

// nameOf is a resource's name input, else its logical name.
func nameOf(urn string, inputs property.Map) string {
	if n := str(inputs, "name"); n != "" {
		return n
	}
	return resource.URN(urn).Name()
}

// str is the string input key, "" when it is not a known string.
func str(inputs property.Map, key string) string {
	if v := inputs.Get(key); v.IsString() {
		return v.AsString()
	}
	return ""
}

// strings2 are the known strings of an array value.
func strings2(v property.Value) []string {
	if !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.AsArray().AsSlice() {
		if e.IsString() {
			out = append(out, e.AsString())
		}
	}
	return out
}

// liveOfType lists the live resources of typ, in no order.
func (t *tables) liveOfType(typ string) []Resource {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Resource
	for _, r := range t.live {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// removeIf removes the live resource of urn if it is the one deleted: the
// same id and, when both have one, the same ARN. A replacement is created
// before the resource it replaces is deleted, under the same URN (and for
// a task definition, the same id), and must stay.
func (t *tables) removeIf(urn, id string, state property.Map) {
	t.mu.Lock()
	defer t.mu.Unlock()
	live, ok := t.live[urn]
	if !ok || live.ID != id {
		return
	}
	if arn := state.Get("arn"); arn.IsString() {
		if cur, ok := live.Outputs["arn"]; ok && cur.IsString() && cur.StringValue() != arn.AsString() {
			return
		}
	}
	delete(t.live, urn)
}
