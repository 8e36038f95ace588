#!/bin/sh
# After `azd provision`: the External ID tenant has no subscription, so the deployment could not
# touch the app registration there. Print the URIs it needs and, when asked to
# (ENTRA_UPDATE_REDIRECT_URIS=true), set them through Microsoft Graph with the Azure CLI: add the
# redirect URIs to the ones already registered and set the front-channel logout URL.
# azd passes its environment, including the outputs of infra/main.bicep, as variables.
# Nothing here may fail the deployment: every problem is reported and the script exits 0.

redirect_uri="${REDIRECT_URI:-}"
logout_uri="${POST_LOGOUT_REDIRECT_URI:-}"
# The app also accepts the tenant's host name (contoso.ciamlogin.com) or domain (contoso.onmicrosoft.com).
subdomain="${TENANT_SUBDOMAIN:-<tenant-subdomain>}"
tenant_domain="${subdomain%%.*}.onmicrosoft.com"
client_id="${CLIENT_ID:-}"
# Absent when the environment was provisioned before infra/main.bicep had this output: then it is left alone.
frontchannel_uri="${FRONTCHANNEL_LOGOUT_URI:-}"

if [ -z "$redirect_uri" ] || [ -z "$logout_uri" ] || [ -z "$client_id" ]; then
  echo "postprovision: REDIRECT_URI, POST_LOGOUT_REDIRECT_URI or CLIENT_ID is not in the azd environment; nothing to do."
  exit 0
fi

echo
echo "In the External ID tenant ($tenant_domain), app registration $client_id,"
echo "add these under Authentication > Web > Redirect URIs:"
echo "  $redirect_uri"
echo "  $logout_uri"
if [ -n "$frontchannel_uri" ]; then
  echo "and set Authentication > Front-channel logout URL to:"
  echo "  $frontchannel_uri"
fi
echo

case "${ENTRA_UPDATE_REDIRECT_URIS:-}" in
  true | TRUE | True | 1 | yes) ;;
  *)
    echo "To have this step set them for you: az login --tenant $tenant_domain --allow-no-subscriptions"
    echo "then azd env set ENTRA_UPDATE_REDIRECT_URIS true, and run azd provision again."
    exit 0
    ;;
esac

if ! command -v az >/dev/null 2>&1; then
  echo "postprovision: the Azure CLI (az) is not installed; add the URIs by hand."
  exit 0
fi

app_url="https://graph.microsoft.com/v1.0/applications(appId='$client_id')"

# Succeeds only when the Azure CLI is signed in to the tenant that holds this registration.
# The query flattens the registration into lines (az's tsv prints one list item a line): first the
# front-channel logout URL, empty when none is set, then each redirect URI.
if ! current=$(az rest --method get --url "$app_url?\$select=web" --query "[web.logoutUrl || '', web.redirectUris][]" --output tsv 2>/dev/null); then
  echo "postprovision: could not read app $client_id through Microsoft Graph."
  echo "Sign the Azure CLI in to the External ID tenant (az login --tenant $tenant_domain --allow-no-subscriptions) and run azd provision again, or add the URIs by hand."
  exit 0
fi
current=$(printf '%s\n' "$current" | tr -d '\r')
current_frontchannel=$(printf '%s\n' "$current" | sed -n 1p)
existing=$(printf '%s\n' "$current" | sed '1d; /^$/d')

missing=0
for uri in "$redirect_uri" "$logout_uri"; do
  printf '%s\n' "$existing" | grep -Fqx -- "$uri" || missing=1
done
set_frontchannel=""
if [ -n "$frontchannel_uri" ] && [ "$current_frontchannel" != "$frontchannel_uri" ]; then
  set_frontchannel="$frontchannel_uri"
fi
if [ "$missing" -eq 0 ] && [ -z "$set_frontchannel" ]; then
  echo "postprovision: these URIs are already registered."
  exit 0
fi
# The registration holds one front-channel logout URL: say which one this replaces.
if [ -n "$set_frontchannel" ] && [ -n "$current_frontchannel" ]; then
  echo "postprovision: the front-channel logout URL $current_frontchannel is replaced by $set_frontchannel."
fi

# A read-modify-write: keep every redirect URI already registered (other environments, localhost)
# and add ours; logoutUrl, when present, is the front-channel logout URL.
body=$(printf '%s\n%s\n%s\n' "$existing" "$redirect_uri" "$logout_uri" | sed '/^$/d' | FRONTCHANNEL="$set_frontchannel" awk '
  function json(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
  BEGIN { ORS = ""; print "{\"web\":{\"redirectUris\":[" }
  !seen[$0]++ { print (n++ ? "," : "") json($0) }
  END { print "]"; if (ENVIRON["FRONTCHANNEL"] != "") print ",\"logoutUrl\":" json(ENVIRON["FRONTCHANNEL"]); print "}}" }')

if az rest --method patch --url "$app_url" --headers "Content-Type=application/json" --body "$body" --output none; then
  echo "postprovision: app $client_id updated."
else
  echo "postprovision: Microsoft Graph refused the update (the signed-in account needs Application.ReadWrite.All or to own the app); set the URIs by hand."
fi
exit 0
