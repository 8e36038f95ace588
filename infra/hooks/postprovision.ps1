# After `azd provision`: the External ID tenant has no subscription, so the deployment could not
# touch the app registration there. Print the URIs it needs and, when asked to
# (ENTRA_UPDATE_REDIRECT_URIS=true), set them through Microsoft Graph with the Azure CLI: add the
# redirect URIs to the ones already registered and set the front-channel logout URL.
# azd passes its environment, including the outputs of infra/main.bicep, as variables.
# Nothing here may fail the deployment: every problem is reported and the script exits 0.

$redirectUri = $env:REDIRECT_URI
$logoutUri = $env:POST_LOGOUT_REDIRECT_URI
$clientId = $env:CLIENT_ID
# Absent when the environment was provisioned before infra/main.bicep had this output: then it is left alone.
$frontchannelUri = $env:FRONTCHANNEL_LOGOUT_URI
$subdomain = if ($env:TENANT_SUBDOMAIN) { $env:TENANT_SUBDOMAIN } else { '<tenant-subdomain>' }
# The app also accepts the tenant's host name (contoso.ciamlogin.com) or domain (contoso.onmicrosoft.com).
$tenantDomain = "$(($subdomain -split '\.')[0]).onmicrosoft.com"

if (-not $redirectUri -or -not $logoutUri -or -not $clientId) {
    Write-Host 'postprovision: REDIRECT_URI, POST_LOGOUT_REDIRECT_URI or CLIENT_ID is not in the azd environment; nothing to do.'
    exit 0
}

Write-Host ''
Write-Host "In the External ID tenant ($tenantDomain), app registration $clientId,"
Write-Host 'add these under Authentication > Web > Redirect URIs:'
Write-Host "  $redirectUri"
Write-Host "  $logoutUri"
if ($frontchannelUri) {
    Write-Host 'and set Authentication > Front-channel logout URL to:'
    Write-Host "  $frontchannelUri"
}
Write-Host ''

if ($env:ENTRA_UPDATE_REDIRECT_URIS -notmatch '^(true|1|yes)$') {
    Write-Host "To have this step set them for you: az login --tenant $tenantDomain --allow-no-subscriptions"
    Write-Host 'then azd env set ENTRA_UPDATE_REDIRECT_URIS true, and run azd provision again.'
    exit 0
}

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    Write-Host 'postprovision: the Azure CLI (az) is not installed; add the URIs by hand.'
    exit 0
}

$appUrl = "https://graph.microsoft.com/v1.0/applications(appId='$clientId')"

# Succeeds only when the Azure CLI is signed in to the tenant that holds this registration.
$json = az rest --method get --url "${appUrl}?`$select=web" --output json 2>$null
if ($LASTEXITCODE -ne 0 -or -not $json) {
    Write-Host "postprovision: could not read app $clientId through Microsoft Graph."
    Write-Host "Sign the Azure CLI in to the External ID tenant (az login --tenant $tenantDomain --allow-no-subscriptions) and run azd provision again, or add the URIs by hand."
    exit 0
}

$web = ($json | Out-String | ConvertFrom-Json).web
$existing = @($web.redirectUris | Where-Object { $_ })
$missing = @($redirectUri, $logoutUri | Where-Object { $existing -notcontains $_ })
$currentFrontchannel = [string]$web.logoutUrl
$setFrontchannel = $frontchannelUri -and $currentFrontchannel -ne $frontchannelUri
if ($missing.Count -eq 0 -and -not $setFrontchannel) {
    Write-Host 'postprovision: these URIs are already registered.'
    exit 0
}
# The registration holds one front-channel logout URL: say which one this replaces.
if ($setFrontchannel -and $currentFrontchannel) {
    Write-Host "postprovision: the front-channel logout URL $currentFrontchannel is replaced by $frontchannelUri."
}

# A read-modify-write: keep every redirect URI already registered (other environments, localhost)
# and add ours; logoutUrl, when present, is the front-channel logout URL.
# The body goes through a file: on Windows, az mangles quotes in JSON passed on the command line.
$update = [ordered]@{ redirectUris = [string[]]($existing + $missing) }
if ($setFrontchannel) {
    $update.logoutUrl = $frontchannelUri
}
$body = ConvertTo-Json -Compress -Depth 4 -InputObject @{ web = $update }
$bodyFile = New-TemporaryFile
try {
    Set-Content -Path $bodyFile -Value $body -Encoding utf8
    az rest --method patch --url $appUrl --headers 'Content-Type=application/json' --body "@$bodyFile" --output none
    if ($LASTEXITCODE -eq 0) {
        Write-Host "postprovision: app $clientId updated."
    }
    else {
        Write-Host 'postprovision: Microsoft Graph refused the update (the signed-in account needs Application.ReadWrite.All or to own the app); set the URIs by hand.'
    }
}
finally {
    Remove-Item -Path $bodyFile -ErrorAction SilentlyContinue
}
exit 0
