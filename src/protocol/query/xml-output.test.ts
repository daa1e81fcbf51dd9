import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { iamModel, type ServiceModel } from "../../model/model.js";
import { isoTimestamp, queryErrorXml, queryResponseXml } from "./xml-output.js";

const NS = "https://iam.amazonaws.com/doc/2010-05-08/";

describe("awsQuery XML answers from the model's output shape", () => {
  it("a structure in its result wrapper, with the request id", () => {
    const xml = queryResponseXml(iamModel, "GetUser", { User: { Path: "/", UserName: "a&b", UserId: "AIDA", Arn: "arn:x", CreateDate: 1764928800 } }, "rid-1");
    assert.equal(
      xml,
      `<GetUserResponse xmlns="${NS}"><GetUserResult><User><Arn>arn:x</Arn><CreateDate>2025-12-05T10:00:00Z</CreateDate><Path>/</Path>` +
        `<UserId>AIDA</UserId><UserName>a&amp;b</UserName></User></GetUserResult><ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></GetUserResponse>`,
    );
  });

  it("lists as <member>, booleans as true/false, absent members left out, in the model file's order", () => {
    const xml = queryResponseXml(iamModel, "ListUserPolicies", { IsTruncated: false, PolicyNames: ["p1", "p2"] }, "r");
    assert.match(xml, /<ListUserPoliciesResult><IsTruncated>false<\/IsTruncated><PolicyNames><member>p1<\/member><member>p2<\/member><\/PolicyNames><\/ListUserPoliciesResult>/);
    assert.doesNotMatch(xml, /Marker/);
  });

  it("an empty list is an empty element", () => {
    assert.match(queryResponseXml(iamModel, "ListUsers", { Users: [], IsTruncated: false }, "r"), /<Users><\/Users>/);
  });

  it("an operation without output has only the response metadata", () => {
    assert.equal(queryResponseXml(iamModel, "DeleteUser", {}, "r"), `<DeleteUserResponse xmlns="${NS}"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>`);
  });

  it("maps as <entry><key/><value/></entry>", () => {
    const model: ServiceModel = {
      metadata: { apiVersion: "1", targetPrefix: "", signingName: "x", jsonVersion: "1.0", xmlNamespace: "urn:x" },
      operations: { Op: { name: "Op", output: { shape: "Out", resultWrapper: "OpResult" } } },
      shapes: { Out: { type: "structure", members: { M: { shape: "M" } } }, M: { type: "map", key: { shape: "S" }, value: { shape: "S" } }, S: { type: "string" } },
    };
    assert.match(queryResponseXml(model, "Op", { M: { a: "<1>" } }, "r"), /<OpResult><M><entry><key>a<\/key><value>&lt;1&gt;<\/value><\/entry><\/M><\/OpResult>/);
  });

  it("timestamps in ISO 8601, milliseconds only when there are any", () => {
    assert.equal(isoTimestamp(0), "1970-01-01T00:00:00Z");
    assert.equal(isoTimestamp(1.5), "1970-01-01T00:00:01.500Z");
  });

  it("errors as IAM sends them", () => {
    assert.equal(
      queryErrorXml(NS, { type: "Sender", code: "NoSuchEntity", message: "The user with name <x> cannot be found." }, "r"),
      `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name &lt;x&gt; cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
    );
  });
});
