def test_openapi_schema_lists_every_resource_and_documents_errors(db, client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/cases/",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/assign",
        "/api/v1/messages/",
        "/api/v1/customers/",
        "/api/v1/orders/{number}",
        "/api/v1/devices/{serial}",
        "/api/v1/events/",
        "/api/v1/webhooks/",
    } <= paths
    assign = schema["paths"]["/api/v1/cases/{case_id}/assign"]["post"]
    assert {"200", "401", "403", "404", "409", "413", "422", "429"} <= set(assign["responses"])
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "BrowserSessionAuth"}


def test_swagger_ui_loads(db, client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content


def test_swagger_ui_is_served_from_local_static_files(db, client):
    # "ninja" in INSTALLED_APPS makes it serve its own copy; without it, it loads a CDN.
    html = client.get("/api/docs").content.decode()

    assert "cdn.jsdelivr.net" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
