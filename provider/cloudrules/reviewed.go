package cloudrules

// Reviewed says whether the rules of typ have been looked up in the sources:
// it has rules registered (autonaming, strings or numbers), or the botocore
// mapping lists inputs of it that the model leaves unconstrained (ids and
// CIDRs, say). A resource type a component creates must be Reviewed
// (provider/plan's corpus tests check every planned type), so a type added
// later is born checked.
func Reviewed(typ string) bool {
	if _, ok := registry[typ]; ok {
		return true
	}
	if len(intRegistry[typ]) > 0 {
		return true
	}
	for _, f := range botocoreFields {
		if f.Token == typ {
			return true
		}
	}
	return false
}
