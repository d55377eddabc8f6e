import ConveyorBase
import Foundation
import Testing

@Suite struct FixedDecimalTests {
    @Test("writes what String(format:) writes, away from exact halves")
    func matchesPrintf() {
        var generator = SystemRandomNumberGenerator()
        var compared = 0
        for _ in 0..<20_000 {
            let magnitude = [1.0, 100.0, 1e6, 1e12][Int.random(in: 0..<4, using: &generator)]
            let value = Double.random(in: -magnitude...magnitude, using: &generator)
            for places in 0...4 {
                let fraction = (value.magnitude - value.magnitude.rounded(.towardZero)) * pow(10, Double(places))
                // Within a hair of a half, the two roundings may differ (see FixedDecimal).
                if abs(fraction - fraction.rounded(.down) - 0.5) < 1e-6 { continue }
                #expect(FixedDecimal.string(value, places: places) == String(format: "%.\(places)f", value),
                        "\(value) to \(places) places")
                compared += 1
            }
        }
        #expect(compared > 90_000)
    }

    @Test("zero, negative zero, small negatives, whole numbers, carries and the edges")
    func edges() {
        #expect(FixedDecimal.string(0, places: 2) == "0.00")
        #expect(FixedDecimal.string(-0.0, places: 2) == String(format: "%.2f", -0.0))
        #expect(FixedDecimal.string(-0.001, places: 2) == String(format: "%.2f", -0.001))
        #expect(FixedDecimal.string(3, places: 0) == "3")
        #expect(FixedDecimal.string(9.999, places: 2) == "10.00")
        #expect(FixedDecimal.string(0.05, places: 3) == "0.050")
        #expect(FixedDecimal.string(1.25, places: 1) == "1.3")
        #expect(FixedDecimal.string(.infinity, places: 2) == "inf")
        #expect(FixedDecimal.string(-.infinity, places: 2) == "-inf")
        #expect(FixedDecimal.string(.nan, places: 2) == "nan")
        #expect(FixedDecimal.string(1e300, places: 2) == "\(1e300)")
        #expect(FixedDecimal.string(2.5, places: 12) == "2.500000000")
    }
}
