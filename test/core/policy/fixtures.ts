/** Realistic policy documents, as APIM returns them with format=rawxml. */

/** The policy APIM creates for a new API (comments and all). */
export const DEFAULT_POLICY = `<!--
    IMPORTANT:
    - Policy elements can appear only within the <inbound>, <outbound>, <backend> section elements.
    - To apply a policy to the incoming request (before it is forwarded to the backend service), place a corresponding policy element within the <inbound> section element.
    - Comments within policy elements are not supported and may disappear. Place your comments between policy elements or at a higher level scope.
-->
<policies>
    <inbound>
        <base />
    </inbound>
    <backend>
        <base />
    </backend>
    <outbound>
        <base />
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>`;

/** Global scope: no <base />. */
export const GLOBAL_POLICY = `<policies>
  <inbound>
    <cors allow-credentials="false">
      <allowed-origins><origin>*</origin></allowed-origins>
    </cors>
  </inbound>
  <backend>
    <forward-request />
  </backend>
  <outbound />
  <on-error />
</policies>`;

/** A busy API policy with raw expressions containing quotes, <, && and braces. */
export const RICH_POLICY = `<policies>
    <inbound>
        <base />
        <!-- the user's own allowlist for the admin operations -->
        <ip-filter action="allow">
            <address>13.66.201.169</address>
            <address-range from="13.66.140.128" to="13.66.140.143" />
        </ip-filter>
        <validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized" require-scheme="Bearer">
            <openid-config url="https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration" />
            <audiences>
                <audience>api://warden-demo</audience>
            </audiences>
        </validate-jwt>
        <set-header name="X-Request-Tier" exists-action="override">
            <value>@(context.Request.Headers.GetValueOrDefault("X-Tier","free"))</value>
        </set-header>
        <rate-limit calls="20" renewal-period="90" />
        <choose>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier","") == "gold" && context.Request.Body.As<string>(preserveContent: true).Length < 1024)">
                <set-variable name="tier" value="@("gold")" />
            </when>
            <when condition='@(context.Variables.GetValueOrDefault<int>("n", 0) > 3)'>
                <set-variable name="tier" value="silver" />
            </when>
            <otherwise>
                <set-variable name="tier" value="@{
                    var x = context.Request.Url.Query.GetValueOrDefault("t", "");
                    if (x.Length < 3 && x != "}") { return "a\\"b"; } // a ) comment
                    return $"{x}-{(x == "(" ? 1 : 2)}";
                }" />
            </otherwise>
        </choose>
        <include-fragment fragment-id="common-logging" />
    </inbound>
    <backend>
        <base />
    </backend>
    <outbound>
        <base />
        <set-body><![CDATA[<not-xml a="1"> & @(not an expression) ]]></set-body>
        <set-body>@{
            var body = context.Response.Body.As<JObject>();
            if (body["a"] != null && (int)body["a"] < 5) { body["a"] = 5; }
            return body.ToString();
        }</set-body>
    </outbound>
    <on-error>
        <base />
        <set-header name="ErrorSource" exists-action="override">
            <value>@(context.LastError.Source)</value>
        </set-header>
    </on-error>
</policies>`;
