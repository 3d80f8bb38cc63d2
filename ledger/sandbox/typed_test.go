package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc/codes"

	"github.com/ditstar/ditstar/internal/testdata"
	"github.com/ditstar/ditstar/ledger/lf"
)

const (
	sequence  = "#dabl-integration-core:Utility.Sequence:Sequence"
	everyKind = "#all-kinds-of:AllKindsOf:OneOfEverything"
)

var integrationDARs = []string{
	"dabl-integration-core-1.2.3.dar",
	"dabl-integration-coindesk-1.1.2.dar",
	"dabl-integration-slack-1.2.2.dar",
	"all-kinds-of-sdk-3.3.0.dar",
}

// uploadDARs uploads the integration DARs over gRPC and returns their
// main package ids by file name.
func (h *harness) uploadDARs() map[string]string {
	h.t.Helper()
	ids := map[string]string{}
	for _, name := range integrationDARs {
		path := testdata.DAR(h.t, name)
		data, err := os.ReadFile(path)
		if err != nil {
			h.t.Fatal(err)
		}
		if _, err := h.pkgAdmin.UploadDarFile(h.ctx, &admin.UploadDarFileRequest{DarFile: data, SubmissionId: name}); err != nil {
			h.t.Fatalf("UploadDarFile %s: %v", name, err)
		}
		d, err := lf.ParseDAR(name, data)
		if err != nil {
			h.t.Fatal(err)
		}
		ids[name] = d.MainPackageID
	}
	return ids
}

func TestUploadEveryDAR(t *testing.T) {
	h := start(t, Options{})
	dir := testdata.DARDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".dar") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.pkgAdmin.UploadDarFile(h.ctx, &admin.UploadDarFileRequest{DarFile: data}); err != nil {
			t.Errorf("UploadDarFile %s: %v", e.Name(), err)
		}
	}

	ids := h.uploadDARs()
	list, err := h.packages.ListPackages(h.ctx, &v2.ListPackagesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for name, id := range ids {
		if !contains(list.GetPackageIds(), id) {
			t.Errorf("ListPackages lacks %s of %s", id, name)
		}
		pkg, err := h.packages.GetPackage(h.ctx, &v2.GetPackageRequest{PackageId: id})
		if err != nil {
			t.Errorf("GetPackage %s: %v", id, err)
			continue
		}
		sum := sha256.Sum256(pkg.GetArchivePayload())
		if hex.EncodeToString(sum[:]) != id || pkg.GetHash() != id {
			t.Errorf("GetPackage %s: payload hash %x, hash field %s", id, sum, pkg.GetHash())
		}
		st, err := h.packages.GetPackageStatus(h.ctx, &v2.GetPackageStatusRequest{PackageId: id})
		if err != nil || st.GetPackageStatus() != v2.PackageStatus_PACKAGE_STATUS_REGISTERED {
			t.Errorf("GetPackageStatus %s = %v, %v", id, st, err)
		}
	}

	known, err := h.pkgAdmin.ListKnownPackages(h.ctx, &admin.ListKnownPackagesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range known.GetPackageDetails() {
		names[p.GetName()] = true
	}
	if !names["dabl-integration-core"] || !names["all-kinds-of"] {
		t.Errorf("ListKnownPackages names = %v", names)
	}

	_, err = h.packages.GetPackage(h.ctx, &v2.GetPackageRequest{PackageId: "00"})
	requireCode(t, err, codes.NotFound, "PACKAGE_NOT_FOUND")
	_, err = h.pkgAdmin.UploadDarFile(h.ctx, &admin.UploadDarFileRequest{DarFile: []byte("PK\x03\x04 not really a zip")})
	requireCode(t, err, codes.InvalidArgument, "DAR_PARSE_ERROR")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func tuple2(a, b *v2.Value) *v2.Value { return recordValue("_1", a, "_2", b) }

func TestTypedCommands(t *testing.T) {
	h := start(t, Options{})
	ids := h.uploadDARs()
	alice := h.allocate("alice")
	coreID := ids["dabl-integration-core-1.2.3.dar"]

	tx := h.mustSubmit(commands([]string{alice}, createCmd(sequence, record("owner", partyValue(alice), "name", text("orders"), "count", int64v(1)))))
	created := tx.GetEvents()[0].GetCreated()
	if created.GetTemplateId().GetPackageId() != coreID || created.GetPackageName() != "dabl-integration-core" {
		t.Errorf("created template %v in package %q, want package id %s", created.GetTemplateId(), created.GetPackageName(), coreID)
	}
	key := created.GetContractKey().GetRecord().GetFields()
	if len(key) != 2 || key[0].GetValue().GetParty() != alice || key[1].GetValue().GetText() != "orders" {
		t.Errorf("contract key = %v, want (alice, orders)", created.GetContractKey())
	}

	// Positional arguments are accepted and reported with labels.
	positional := &v2.Record{Fields: []*v2.RecordField{{Value: partyValue(alice)}, {Value: text("invoices")}, {Value: int64v(7)}}}
	tx = h.mustSubmit(commands([]string{alice}, createCmd(coreID+":Utility.Sequence:Sequence", positional)))
	if label := tx.GetEvents()[0].GetCreated().GetCreateArguments().GetFields()[2].GetLabel(); label != "count" {
		t.Errorf("positional create reported label %q, want count", label)
	}

	typeErrors := []struct {
		name string
		cmd  *v2.Command
		code codes.Code
		id   string
		want string
	}{
		{"wrong field type", createCmd(sequence, record("owner", partyValue(alice), "name", text("x"), "count", text("one"))), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED", "count"},
		{"missing field", createCmd(sequence, record("owner", partyValue(alice), "name", text("x"))), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED", "count"},
		{"unknown field", createCmd(sequence, record("owner", partyValue(alice), "name", text("x"), "count", int64v(1), "extra", int64v(2))), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED", "4 fields"},
		{"unknown template", createCmd("#dabl-integration-core:Utility.Sequence:Nope", record()), codes.NotFound, "TEMPLATES_OR_INTERFACES_NOT_FOUND", "Nope"},
		{"duplicate key", createCmd(sequence, record("owner", partyValue(alice), "name", text("orders"), "count", int64v(2))), codes.AlreadyExists, "DUPLICATE_CONTRACT_KEY", created.GetContractId()},
		{"unknown choice", exerciseCmd(sequence, created.GetContractId(), "Explode", recordValue()), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED", "Explode"},
		{"wrong choice argument", exerciseCmd(sequence, created.GetContractId(), "Sequence_Next", int64v(3)), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED", "choice_argument"},
		{"wrong template", exerciseCmd("#dabl-integration-coindesk:CoinDesk.PriceRequest:PriceRequest", created.GetContractId(), "Archive", recordValue()), codes.InvalidArgument, "WRONGLY_TYPED_CONTRACT", "Utility.Sequence:Sequence"},
		{"key on keyless template", byKey("#dabl-integration-coindesk:CoinDesk.PriceRequest:PriceRequest", partyValue(alice), "Archive"), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED", "no contract key"},
		{"key of wrong type", byKey(sequence, text("orders"), "Archive"), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED", "contract_key"},
		{"unknown key", byKey(sequence, tuple2(partyValue(alice), text("missing")), "Archive"), codes.NotFound, "CONTRACT_KEY_NOT_FOUND", ""},
	}
	for _, c := range typeErrors {
		t.Run(c.name, func(t *testing.T) {
			_, err := h.submitTx(commands([]string{alice}, c.cmd))
			requireCode(t, err, c.code, c.id)
			if err != nil && !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}

	// Exercise by key: a consuming choice archives the contract and leaves
	// a non-Unit result empty, because choice bodies are not evaluated.
	resp, err := h.commands.SubmitAndWaitForTransaction(h.ctx, &v2.SubmitAndWaitForTransactionRequest{
		Commands: commands([]string{alice}, byKey(sequence, tuple2(partyValue(alice), text("orders")), "Sequence_Next")),
		TransactionFormat: &v2.TransactionFormat{
			EventFormat:      wildcardFor(true, alice),
			TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS,
		},
	})
	if err != nil {
		t.Fatalf("exercise by key: %v", err)
	}
	ex := resp.GetTransaction().GetEvents()[0].GetExercised()
	if ex.GetContractId() != created.GetContractId() || !ex.GetConsuming() || ex.GetExerciseResult() != nil {
		t.Errorf("exercised event = %v, want consuming on %s with no result", ex, created.GetContractId())
	}
	// The key is free again.
	h.mustSubmit(commands([]string{alice}, createCmd(sequence, record("owner", partyValue(alice), "name", text("orders"), "count", int64v(2)))))
}

func byKey(template string, key *v2.Value, choice string) *v2.Command {
	return &v2.Command{Command: &v2.Command_ExerciseByKey{ExerciseByKey: &v2.ExerciseByKeyCommand{
		TemplateId: tid(template), ContractKey: key, Choice: choice, ChoiceArgument: recordValue(),
	}}}
}

func TestTypedEveryKindOfValue(t *testing.T) {
	h := start(t, Options{})
	h.uploadDARs()
	alice := h.allocate("alice")
	pair := func(a, b *v2.Value) *v2.Value { return recordValue("left", a, "right", b) }
	variant := func(ctor string, v *v2.Value) *v2.Value {
		return &v2.Value{Sum: &v2.Value_Variant{Variant: &v2.Variant{Constructor: ctor, Value: v}}}
	}
	nested := pair(pair(int64v(1), int64v(2)), pair(int64v(3), int64v(4)))
	args := record(
		"operator", partyValue(alice),
		"someBoolean", &v2.Value{Sum: &v2.Value_Bool{Bool: true}},
		"someInteger", int64v(-5),
		"someDecimal", numeric("3.1415926535"),
		"someMaybe", &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{Value: int64v(1)}}},
		"someMaybeNot", &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{}}},
		"someText", text("héllo"),
		"someDate", &v2.Value{Sum: &v2.Value_Date{Date: 19000}},
		"someDatetime", &v2.Value{Sum: &v2.Value_Timestamp{Timestamp: 1_700_000_000_000_000}},
		"someSimpleList", &v2.Value{Sum: &v2.Value_List{List: &v2.List{Elements: []*v2.Value{int64v(1), int64v(2)}}}},
		"someSimplePair", pair(int64v(1), int64v(2)),
		"someNestedPair", nested,
		"someUglyNesting", variant("Both", variant("Left", nested)),
		"someMeasurement", numeric("0"),
		"someEnum", &v2.Value{Sum: &v2.Value_Enum{Enum: &v2.Enum{Constructor: "Red"}}},
		"theUnit", unit(),
	)
	tx := h.mustSubmit(commands([]string{alice}, createCmd(everyKind, args)))
	stored := tx.GetEvents()[0].GetCreated().GetCreateArguments()
	if got := stored.GetRecordId().GetEntityName(); got != "OneOfEverything" {
		t.Errorf("verbose arguments have record id %q, want OneOfEverything", got)
	}
	if got := stored.GetFields()[12].GetValue().GetVariant().GetConstructor(); got != "Both" {
		t.Errorf("someUglyNesting constructor %q, want Both", got)
	}

	args.Fields[12].Value = variant("Both", unit())
	_, err := h.submitTx(commands([]string{alice}, createCmd(everyKind, args)))
	requireCode(t, err, codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED")
	if err != nil && !strings.Contains(err.Error(), "someUglyNesting") {
		t.Errorf("variant error %q does not name someUglyNesting", err)
	}

	args.Fields[12].Value = variant("Right", nested)
	args.Fields[3].Value = numeric("1.00000000001")
	_, err = h.submitTx(commands([]string{alice}, createCmd(everyKind, args)))
	requireCode(t, err, codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED")
	if err != nil && !strings.Contains(err.Error(), "someDecimal") {
		t.Errorf("scale error %q does not name someDecimal", err)
	}
}

func TestSchemalessOffWhenDARsLoaded(t *testing.T) {
	d, err := lf.ReadDAR(testdata.DAR(t, "dabl-integration-core-1.2.3.dar"))
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{DARs: []*lf.DAR{d}})
	alice := h.allocate("alice")
	_, err = h.submitTx(commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice)))))
	requireCode(t, err, codes.NotFound, "PACKAGE_NOT_FOUND")
	h.create(alice, sequence, record("owner", partyValue(alice), "name", text("n"), "count", int64v(0)))

	forced := start(t, Options{DARs: []*lf.DAR{d}, Schemaless: true})
	bob := forced.allocate("bob")
	forced.create(bob, asset, record("owner", partyValue(bob)))
	_, err = forced.submitTx(commands([]string{bob}, createCmd(sequence, record("owner", text("not a party")))))
	requireCode(t, err, codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED")
}

func TestInterfaceFilterAndExercise(t *testing.T) {
	d, err := lf.ReadDAR(testdata.DAR(t, "splice-dummy-holding-sdk-3.3.0.dar"))
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{DARs: []*lf.DAR{d}})
	alice, bank := h.allocate("alice"), h.allocate("bank")
	holding := "#splice-api-token-holding-v1:Splice.Api.Token.HoldingV1:Holding"
	dummy := d.MainPackageID + ":Splice.Api.Token.Test.DummyHolding:DummyHolding"
	cid := h.create(bank, dummy, record("owner", partyValue(alice), "issuer", partyValue(bank), "amount", numeric("10.0")))

	byInterface := &v2.EventFormat{FiltersByParty: map[string]*v2.Filters{alice: {Cumulative: []*v2.CumulativeFilter{
		{IdentifierFilter: &v2.CumulativeFilter_InterfaceFilter{InterfaceFilter: &v2.InterfaceFilter{InterfaceId: tid(holding)}}},
	}}}}
	_, got := h.acs(byInterface)
	if len(got) != 1 || got[0].GetContractId() != cid {
		t.Errorf("interface filter gave %v, want the holding %s", got, cid)
	}
	byOther := &v2.EventFormat{FiltersByParty: map[string]*v2.Filters{alice: {Cumulative: []*v2.CumulativeFilter{
		{IdentifierFilter: &v2.CumulativeFilter_InterfaceFilter{InterfaceFilter: &v2.InterfaceFilter{InterfaceId: tid("#splice-api-token-metadata-v1:Splice.Api.Token.MetadataV1:AnyContract")}}},
	}}}}
	if _, got := h.acs(byOther); len(got) != 0 {
		t.Errorf("filter on an interface the template does not implement gave %v", got)
	}
	stream, err := h.state.GetActiveContracts(h.ctx, &v2.GetActiveContractsRequest{ActiveAtOffset: 1, EventFormat: &v2.EventFormat{
		FiltersByParty: map[string]*v2.Filters{alice: {Cumulative: []*v2.CumulativeFilter{
			{IdentifierFilter: &v2.CumulativeFilter_InterfaceFilter{InterfaceFilter: &v2.InterfaceFilter{InterfaceId: tid("#splice-api-token-holding-v1:Splice.Api.Token.HoldingV1:Nope")}}},
		}}}}})
	if err == nil {
		_, err = stream.Recv()
	}
	requireCode(t, err, codes.NotFound, "TEMPLATES_OR_INTERFACES_NOT_FOUND")

	// Archive through the interface; the exercise names the interface.
	resp, err := h.commands.SubmitAndWaitForTransaction(h.ctx, &v2.SubmitAndWaitForTransactionRequest{
		Commands: commands([]string{bank}, exerciseCmd(holding, cid, "Archive", recordValue())),
		TransactionFormat: &v2.TransactionFormat{
			EventFormat:      wildcardFor(true, bank),
			TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS,
		},
	})
	if err != nil {
		t.Fatalf("archive through the interface: %v", err)
	}
	ex := resp.GetTransaction().GetEvents()[0].GetExercised()
	if ex.GetInterfaceId().GetEntityName() != "Holding" || !ex.GetConsuming() {
		t.Errorf("exercised event = %v, want a consuming exercise through Holding", ex)
	}
	_, err = h.submitTx(commands([]string{bank}, exerciseCmd("#splice-api-token-metadata-v1:Splice.Api.Token.MetadataV1:AnyContract", cid, "Archive", recordValue())))
	requireCode(t, err, codes.NotFound, "CONTRACT_NOT_FOUND")
}
