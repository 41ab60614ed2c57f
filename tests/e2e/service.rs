//! The service's own details (`GET /api/service`): the hub's telephone number for signed-in
//! users, from `server.hub_phone`.

use carehub_e2e::TestServer;

#[tokio::test]
async fn signed_in_users_get_the_hub_phone_number_and_strangers_do_not() {
    let server =
        TestServer::start_with(vec![("CAREHUB__SERVER__HUB_PHONE", "01632 960 123")]).await;
    for user in ["carer1", "nurse1", "clinician1", "admin"] {
        let token = server.login(user).await;
        let (status, body) = server.get(Some(&token), "/api/service").await;
        assert_eq!(status, 200, "{user}: {body}");
        assert_eq!(body["hub_phone"], "01632 960 123", "{user}");
    }
    let (status, body) = server.get(None, "/api/service").await;
    assert_eq!(status, 401, "{body}");
    assert!(body["hub_phone"].is_null(), "{body}");
    let (status, _) = server.get(Some("not-a-token"), "/api/service").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_demo_hub_phone_number_is_a_fictional_one() {
    let server = TestServer::start().await;
    let token = server.login("carer1").await;
    let (_, body) = server.get(Some(&token), "/api/service").await;
    assert_eq!(body["hub_phone"], "01632 960 000");
}
