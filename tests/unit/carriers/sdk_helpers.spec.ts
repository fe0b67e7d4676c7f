import { test } from '@japa/runner'
import {
  bd09ToGcj02,
  convertCoordinates,
  fromScaledInteger,
  gcj02ToBd09,
  gcj02ToWgs84,
  toScaledInteger,
  wgs84ToGcj02,
} from '#sdk/coordinates'
import { fenToYuan, fenToYuanNumber, fromFen, toFen, yuanToFen } from '#sdk/money'
import {
  base64Encode,
  concatSortedKeyValues,
  hmacSha256Hex,
  joinSortedQuery,
  md5Hex,
  safeEqual,
  sha1Hex,
  sha256Hex,
  upper,
} from '#sdk/signing'

test.group('SDK | money', () => {
  test('yuan strings and numbers become integer fen without float error', ({ assert }) => {
    assert.equal(yuanToFen('12.5'), 1250)
    assert.equal(yuanToFen('12.50'), 1250)
    assert.equal(yuanToFen(' 3 '), 300)
    assert.equal(yuanToFen(0.1 + 0.2), 30)
    assert.equal(yuanToFen(19.99), 1999)
    assert.equal(yuanToFen(12.345), 1235, 'half rounds away from zero')
    assert.equal(yuanToFen('12.344'), 1234)
    assert.equal(yuanToFen('-0.01'), -1)
    assert.equal(yuanToFen(1e-7), 0)
    assert.throws(() => yuanToFen('12,50'), /Not a yuan amount/)
    assert.throws(() => yuanToFen(Number.NaN), /Not a finite amount/)
  })

  test('fen become two-decimal yuan, and units round-trip', ({ assert }) => {
    assert.equal(fenToYuan(1250), '12.50')
    assert.equal(fenToYuan(5), '0.05')
    assert.equal(fenToYuan(-5), '-0.05')
    assert.equal(fenToYuanNumber(1999), 19.99)
    assert.throws(() => fenToYuan(1.5), /integer number of fen/)
    assert.equal(toFen('8.80', 'yuan'), 880)
    assert.equal(toFen(880, 'fen'), 880)
    assert.equal(toFen('880', 'cents'), 880)
    assert.equal(fromFen(880, 'yuan'), '8.80')
    assert.equal(fromFen(880, 'cents'), 880)
    for (let fen = -1000; fen <= 100_000; fen += 37) assert.equal(yuanToFen(fenToYuan(fen)), fen)
  })
})

test.group('SDK | coordinates', () => {
  test('WGS-84 → GCJ-02 matches the reference transform (Tiananmen)', ({ assert }) => {
    const gcj = wgs84ToGcj02({ lat: 39.908692, lng: 116.397477 })
    assert.closeTo(gcj.lat, 39.910095494, 1e-8)
    assert.closeTo(gcj.lng, 116.403720567, 1e-8)
    const bd = gcj02ToBd09({ lat: 39.908692, lng: 116.397477 })
    assert.closeTo(bd.lat, 39.915035298, 1e-8)
    assert.closeTo(bd.lng, 116.403850001, 1e-8)
  })

  test('inverse transforms round-trip within a millimetre', ({ assert }) => {
    for (const point of [
      { lat: 31.230416, lng: 121.473701 },
      { lat: 22.543096, lng: 114.057865 },
      { lat: 45.80378, lng: 126.53497 },
    ]) {
      const back = gcj02ToWgs84(wgs84ToGcj02(point))
      assert.closeTo(back.lat, point.lat, 1e-8)
      assert.closeTo(back.lng, point.lng, 1e-8)
      const viaBaidu = bd09ToGcj02(gcj02ToBd09(point))
      assert.closeTo(viaBaidu.lat, point.lat, 1e-5)
      assert.closeTo(viaBaidu.lng, point.lng, 1e-5)
      const converted = convertCoordinates(
        convertCoordinates(point, 'wgs84', 'bd09'),
        'bd09',
        'wgs84'
      )
      assert.closeTo(converted.lat, point.lat, 1e-5)
    }
  })

  test('no offset outside China; Meituan-style integers', ({ assert }) => {
    assert.deepEqual(wgs84ToGcj02({ lat: 48.8584, lng: 2.2945 }), { lat: 48.8584, lng: 2.2945 })
    assert.equal(toScaledInteger(121.473701), 121473701)
    assert.equal(toScaledInteger(31.2304165), 31230417)
    assert.equal(fromScaledInteger('31230416'), 31.230416)
  })
})

test.group('SDK | signing', () => {
  test('digests and HMAC match published test vectors', ({ assert }) => {
    assert.equal(md5Hex('abc'), '900150983cd24fb0d6963f7d28e17f72')
    assert.equal(sha1Hex('abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d')
    assert.equal(
      sha256Hex('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    )
    // RFC 4231, test case 2
    assert.equal(
      hmacSha256Hex('Jefe', 'what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'
    )
    assert.equal(base64Encode('abc'), 'YWJj')
    assert.isTrue(safeEqual('abc', 'abc'))
    assert.isFalse(safeEqual('abc', 'abd'))
    assert.isFalse(safeEqual('abc', 'abcd'))
  })

  test('sorted parameter strings skip the sign key and empty values', ({ assert }) => {
    const params = {
      timestamp: 1700000000,
      app_key: 'k1',
      body: '{"a":1}',
      sign: 'zzz',
      empty: '',
      none: null,
      v: '1.0',
    }
    assert.equal(concatSortedKeyValues(params), 'app_keyk1body{"a":1}timestamp1700000000v1.0')
    assert.equal(joinSortedQuery(params), 'app_key=k1&body={"a":1}&timestamp=1700000000&v=1.0')
    assert.equal(joinSortedQuery({ b: '', a: '1' }, { skipEmpty: false }), 'a=1&b=')
    assert.equal(concatSortedKeyValues({ a: '1', appkey: 'x' }, { skipKeys: ['appkey'] }), 'a1')
    // The Dada recipe, composed from the primitives.
    const secret = 's3cret'
    assert.equal(
      upper(md5Hex(secret + concatSortedKeyValues(params) + secret)),
      md5Hex('s3cretapp_keyk1body{"a":1}timestamp1700000000v1.0s3cret').toUpperCase()
    )
  })
})
