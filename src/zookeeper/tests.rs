//! The client against bytes captured from a real ZooKeeper 3.8.4 (the one
//! Kafka 3.9.2 ships) through `scripts/wire-proxy.py --zookeeper`, its
//! requests against those of ZooKeeper's own shell, and hostile answers.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/zookeeper/3.8.4/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A frame without its size prefix, as `Connection::round_trip` returns it.
fn body(name: &str) -> Vec<u8> {
    fixture(name)[4..].to_vec()
}

#[test]
fn our_requests_are_byte_for_byte_those_of_zookeepers_own_shell() {
    assert_eq!(connect_request(), fixture("connect-request.bin"));
    assert_eq!(
        path_request(1, OP_GET_DATA, "/cluster/id"),
        fixture("getData-cluster-id-request.bin")
    );
    assert_eq!(
        path_request(1, OP_GET_CHILDREN2, "/brokers/ids"),
        fixture("getChildren2-brokers-ids-request.bin")
    );
    let cs = ConnectString::parse("127.0.0.1:42182/chroot").unwrap();
    assert_eq!(
        path_request(1, OP_GET_DATA, &cs.path("/cluster/id")),
        fixture("getData-chroot-cluster-id-request.bin")
    );
}

#[test]
fn reads_the_captured_answers() {
    let s = decode_connect(&body("connect-response.bin")).unwrap();
    assert_eq!(s.timeout_ms, 30_000);
    assert_ne!(s.id, 0);
    let Answer::Found(id) = decode_get_data(&body("getData-cluster-id-response.bin"), 1).unwrap()
    else {
        panic!("no /cluster/id")
    };
    assert_eq!(cluster_id_of(&id).unwrap(), "Sc3yfWjdQ8Sx0aYhbhvHPw");
    let chrooted = decode_get_data(&body("getData-chroot-cluster-id-response.bin"), 1).unwrap();
    assert!(
        matches!(chrooted, Answer::Found(d) if cluster_id_of(&d).unwrap() == "Q2hyb290ZWRDbHVzdGVyMQ")
    );
    assert_eq!(
        decode_get_children(&body("getChildren2-brokers-ids-response.bin"), 1).unwrap(),
        Answer::Found(vec!["0".into(), "1".into(), "2".into()])
    );
    assert_eq!(
        decode_get_data(&body("getData-migration-nonode-response.bin"), 1).unwrap(),
        Answer::NoNode
    );
    assert_eq!(
        decode_get_children(&body("getChildren2-nonode-response.bin"), 1).unwrap(),
        Answer::NoNode
    );
    let Answer::Found(c) = decode_get_data(&body("getData-controller-response.bin"), 1).unwrap()
    else {
        panic!("no /controller")
    };
    assert!(String::from_utf8(c)
        .unwrap()
        .contains("\"kraftControllerEpoch\":-1"));
}

#[test]
fn refuses_hostile_answers_without_panicking_or_allocating_their_lengths() {
    let good = body("getData-cluster-id-response.bin");
    let mut wrong_xid = good.clone();
    wrong_xid[3] = 9;
    let mut error = good.clone();
    error[12..16].copy_from_slice(&(-102i32).to_be_bytes()); // NOAUTH
    let mut huge = good.clone();
    huge[16..20].copy_from_slice(&i32::MAX.to_be_bytes());
    let mut negative = good.clone();
    negative[16..20].copy_from_slice(&(-5i32).to_be_bytes());
    let mut trailing = good.clone();
    trailing.push(0);
    let cases: &[(&str, Vec<u8>, &str)] = &[
        ("empty", vec![], "frame ends early"),
        (
            "truncated",
            good[..good.len() - 1].to_vec(),
            "frame ends early",
        ),
        ("another xid", wrong_xid, "another request"),
        ("an error code", error, "error -102 (NOAUTH"),
        ("a 2 GiB length", huge, "out of range"),
        ("a negative length", negative, "out of range"),
        ("trailing bytes", trailing, ""),
    ];
    for (what, bytes, problem) in cases {
        let e = decode_get_data(bytes, 1).expect_err(what);
        assert!(e.to_string().contains(problem), "{what}: {e}");
    }
    let children = body("getChildren2-brokers-ids-response.bin");
    let mut many = children.clone();
    many[16..20].copy_from_slice(&i32::MAX.to_be_bytes());
    assert!(decode_get_children(&many, 1).is_err());
    assert!(decode_connect(&[0, 0, 0]).is_err());
}

#[test]
fn parses_connect_strings_like_zookeeper() {
    type Parsed<'a> = Result<(&'a [(&'a str, u16)], &'a str), ()>;
    let cases: &[(&str, Parsed)] = &[
        ("zk:2181", Ok((&[("zk", 2181)], ""))),
        ("zk", Ok((&[("zk", 2181)], ""))),
        (
            "a:1, b:2 ,c:3/kafka/prod",
            Ok((&[("a", 1), ("b", 2), ("c", 3)], "/kafka/prod")),
        ),
        ("[::1]:2182/x/", Ok((&[("::1", 2182)], "/x"))),
        ("zk:2181/", Ok((&[("zk", 2181)], ""))),
        ("", Err(())),
        ("/chroot", Err(())),
        ("zk:port", Err(())),
        ("zk:0", Err(())),
        ("zk:2181/a/../b", Err(())),
        ("zk:2181/kafka\n/", Err(())),
        ("zk:2181/ka\u{7}fka", Err(())),
        ("zk:2181/kafka  /", Err(())),
        ("[ ]:2181", Err(())),
        ("[::1]chr", Err(())),
        ("[\reh1]:1", Err(())),
    ];
    for (s, want) in cases {
        let got = ConnectString::parse(s);
        match want {
            Ok((hosts, chroot)) => {
                let got = got.unwrap_or_else(|e| panic!("{s}: {e}"));
                let h: Vec<(&str, u16)> = got.hosts.iter().map(|(h, p)| (h.as_str(), *p)).collect();
                assert_eq!(
                    (h.as_slice(), got.chroot.as_str()),
                    (*hosts, *chroot),
                    "{s}"
                );
            }
            Err(()) => assert!(got.is_err(), "{s}: {got:?}"),
        }
    }
    let cs = ConnectString::parse("zk/kafka").unwrap();
    assert_eq!(cs.path("/"), "/kafka");
    assert_eq!(cs.path("/brokers/ids"), "/kafka/brokers/ids");
}

#[test]
fn reads_the_cluster_id_json_kafka_writes() {
    assert_eq!(
        cluster_id_of(br#"{"version":"1","id":"abc"}"#).as_deref(),
        Ok("abc")
    );
    assert!(cluster_id_of(b"not json").is_err());
    assert!(cluster_id_of(br#"{"version":"1","id":7}"#).is_err());
}
