import Testing
@Suite struct LoanAPIPlaceholder { @Test func nothing() {} }
