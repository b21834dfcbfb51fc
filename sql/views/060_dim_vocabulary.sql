CREATE VIEW mart.dim_vocabulary AS
SELECT 'organization_kind' AS vocabulary, value, label, definition, ordinal FROM core.vocab_organization_kind
UNION ALL SELECT 'ownership', value, label, definition, ordinal FROM core.vocab_ownership
UNION ALL SELECT 'agreement_type', value, label, definition, ordinal FROM core.vocab_agreement_type
UNION ALL SELECT 'agreement_status', value, label, definition, ordinal FROM core.vocab_agreement_status
UNION ALL SELECT 'party_role', value, label, definition, ordinal FROM core.vocab_party_role
UNION ALL SELECT 'investment_type', value, label, definition, ordinal FROM core.vocab_investment_type
UNION ALL SELECT 'investment_status', value, label, definition, ordinal FROM core.vocab_investment_status
UNION ALL SELECT 'amount_qualifier', value, label, definition, ordinal FROM core.vocab_amount_qualifier
UNION ALL SELECT 'measure_type', value, label, definition, ordinal FROM core.vocab_measure_type
UNION ALL SELECT 'policy_status', value, label, definition, ordinal FROM core.vocab_policy_status
UNION ALL SELECT 'stance', value, label, definition, ordinal FROM core.vocab_stance
UNION ALL SELECT 'relation', value, label, definition, ordinal FROM core.vocab_relation;
