"""A moto server whose CloudFormation also creates what stock moto 5.2.5 skips.

Imported by tests/e2e/moto_server.py, the server the e2e deploys to (this module's name
must be a package path: moto files each model under the second part of it).

Stock moto's CloudFormation reports these types CREATE_COMPLETE without creating anything
(the e2e could then prove nothing about them), so each gets a CloudFormation model here
that creates it through moto's own backend, the one its API answers from:

    AWS::ApiGatewayV2::Api | Stage | Authorizer | Integration | Route     apigatewayv2
    AWS::Cognito::UserPool | UserPoolClient                              cognito-idp

Only create and delete, and the Ref/GetAtt values the templates use; an update replaces
the resource (the e2e deploys once). Everything else is moto as shipped - including
that it skips ``AWS::S3::BucketPolicy``: osls's policy denies requests without TLS
(``aws:SecureTransport``), and moto, which enforces bucket policies, is served over HTTP.
"""

from __future__ import annotations

from typing import Any

from moto.apigatewayv2.models import apigatewayv2_backends
from moto.cloudformation import parsing
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel


def _camel(properties: dict[str, Any]) -> dict[str, Any]:
    return {key[:1].lower() + key[1:]: value for key, value in properties.items()}


class _Compat:
    """A created resource: its Ref value, its GetAtt values, and how to delete it.

    A mixin: moto lists only the direct subclasses of CloudFormationModel as models.
    """

    TYPE = ""
    ATTRIBUTES: tuple[str, ...] = ()

    def __init__(self, physical_id: str, attributes: dict[str, Any], delete: Any) -> None:
        self.physical_id = physical_id
        self.attributes = attributes
        self.delete = delete

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return self.attributes[attribute_name]

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> _Compat:
        return cls.create(cloudformation_json.get("Properties", {}), account_id, region_name)

    @classmethod
    def create(cls, properties: dict[str, Any], account_id: str, region: str) -> _Compat:
        raise NotImplementedError

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls,
        original_resource: _Compat,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> _Compat:
        original_resource.delete()
        return cls.create(cloudformation_json.get("Properties", {}), account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        """moto calls this with the physical id only; the backends' own delete is enough here."""


class HttpApi(_Compat, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Api"
    ATTRIBUTES = ("ApiEndpoint", "ApiId")

    @classmethod
    def create(cls, properties: dict[str, Any], account_id: str, region: str) -> _Compat:
        backend = apigatewayv2_backends[account_id][region]
        api = backend.create_api(
            api_key_selection_expression=properties.get("ApiKeySelectionExpression"),
            cors_configuration=properties.get("CorsConfiguration"),
            description=properties.get("Description"),
            disable_schema_validation=properties.get("DisableSchemaValidation"),
            disable_execute_api_endpoint=properties.get("DisableExecuteApiEndpoint"),
            name=properties["Name"],
            protocol_type=properties["ProtocolType"],
            route_selection_expression=properties.get("RouteSelectionExpression"),
            tags=properties.get("Tags") or {},
            version=properties.get("Version"),
        )
        attributes = {"ApiEndpoint": api.api_endpoint, "ApiId": api.api_id}
        return cls(api.api_id, attributes, lambda: backend.delete_api(api.api_id))


class HttpStage(_Compat, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Stage"

    @classmethod
    def create(cls, properties: dict[str, Any], account_id: str, region: str) -> _Compat:
        backend = apigatewayv2_backends[account_id][region]
        config = _camel({k: v for k, v in properties.items() if k != "ApiId"})
        stage = backend.create_stage(properties["ApiId"], config)
        return cls(stage.name, {}, lambda: backend.delete_stage(properties["ApiId"], stage.name))


class HttpAuthorizer(_Compat, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Authorizer"
    ATTRIBUTES = ("AuthorizerId",)

    @classmethod
    def create(cls, properties: dict[str, Any], account_id: str, region: str) -> _Compat:
        backend = apigatewayv2_backends[account_id][region]
        jwt = properties.get("JwtConfiguration")
        authorizer = backend.create_authorizer(
            api_id=properties["ApiId"],
            auth_creds_arn=properties.get("AuthorizerCredentialsArn"),
            auth_payload_format_version=properties.get("AuthorizerPayloadFormatVersion"),
            auth_result_ttl=properties.get("AuthorizerResultTtlInSeconds"),
            authorizer_uri=properties.get("AuthorizerUri"),
            authorizer_type=properties["AuthorizerType"],
            enable_simple_response=properties.get("EnableSimpleResponses"),
            identity_source=properties.get("IdentitySource"),
            identity_validation_expr=properties.get("IdentityValidationExpression"),
            jwt_config=_camel(jwt) if jwt else None,  # type: ignore[arg-type]
            name=properties["Name"],
        )
        delete = lambda: backend.delete_authorizer(properties["ApiId"], authorizer.id)  # noqa: E731
        return cls(authorizer.id, {"AuthorizerId": authorizer.id}, delete)


class HttpIntegration(_Compat, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Integration"

    @classmethod
    def create(cls, properties: dict[str, Any], account_id: str, region: str) -> _Compat:
        backend = apigatewayv2_backends[account_id][region]
        integration = backend.create_integration(
            api_id=properties["ApiId"],
            connection_id=properties.get("ConnectionId"),
            connection_type=properties.get("ConnectionType"),
            content_handling_strategy=properties.get("ContentHandlingStrategy"),
            credentials_arn=properties.get("CredentialsArn"),
            description=properties.get("Description"),
            integration_method=properties.get("IntegrationMethod"),
            integration_subtype=properties.get("IntegrationSubtype"),
            integration_type=properties["IntegrationType"],
            integration_uri=properties.get("IntegrationUri"),
            passthrough_behavior=properties.get("PassthroughBehavior"),
            payload_format_version=properties.get("PayloadFormatVersion"),
            request_parameters=properties.get("RequestParameters"),
            request_templates=properties.get("RequestTemplates"),
            response_parameters=properties.get("ResponseParameters"),
            template_selection_expression=properties.get("TemplateSelectionExpression"),
            timeout_in_millis=properties.get("TimeoutInMillis"),
            tls_config=properties.get("TlsConfig"),
        )
        delete = lambda: backend.delete_integration(properties["ApiId"], integration.id)  # noqa: E731
        return cls(integration.id, {}, delete)


class HttpRoute(_Compat, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Route"

    @classmethod
    def create(cls, properties: dict[str, Any], account_id: str, region: str) -> _Compat:
        backend = apigatewayv2_backends[account_id][region]
        route = backend.create_route(
            api_id=properties["ApiId"],
            api_key_required=properties.get("ApiKeyRequired", False),
            authorization_scopes=properties.get("AuthorizationScopes"),
            authorization_type=properties.get("AuthorizationType"),
            authorizer_id=properties.get("AuthorizerId"),
            model_selection_expression=properties.get("ModelSelectionExpression"),
            operation_name=properties.get("OperationName"),
            request_models=properties.get("RequestModels"),
            request_parameters=properties.get("RequestParameters"),
            route_key=properties["RouteKey"],
            route_response_selection_expression=properties.get("RouteResponseSelectionExpression"),
            target=properties.get("Target"),
        )
        delete = lambda: backend.delete_route(properties["ApiId"], route.route_id)  # noqa: E731
        return cls(route.route_id, {}, delete)


class UserPool(_Compat, CloudFormationModel):
    TYPE = "AWS::Cognito::UserPool"
    ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    @classmethod
    def create(cls, properties: dict[str, Any], account_id: str, region: str) -> _Compat:
        backend = cognitoidp_backends[account_id][region]
        config = {k: v for k, v in properties.items() if k != "UserPoolName"}
        pool = backend.create_user_pool(properties.get("UserPoolName", "pool"), config)
        provider = f"cognito-idp.{region}.amazonaws.com/{pool.id}"
        attributes = {
            "Arn": pool.arn,
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": pool.id,
        }
        return cls(pool.id, attributes, lambda: backend.delete_user_pool(pool.id))


class UserPoolClient(_Compat, CloudFormationModel):
    TYPE = "AWS::Cognito::UserPoolClient"
    ATTRIBUTES = ("ClientId", "Name")

    @classmethod
    def create(cls, properties: dict[str, Any], account_id: str, region: str) -> _Compat:
        backend = cognitoidp_backends[account_id][region]
        pool_id = properties["UserPoolId"]
        config = {k: v for k, v in properties.items() if k not in ("UserPoolId", "GenerateSecret")}
        client = backend.create_user_pool_client(pool_id, bool(properties.get("GenerateSecret")), config)
        delete = lambda: backend.delete_user_pool_client(pool_id, client.id)  # noqa: E731
        return cls(client.id, {"ClientId": client.id, "Name": config.get("ClientName")}, delete)


def register() -> None:
    """Make moto's CloudFormation see the models above (its model list is cached)."""
    parsing.get_model_list.cache_clear()
    parsing.get_name_type_map.cache_clear()
    known = parsing.get_model_map()
    for model in (HttpApi, HttpStage, HttpAuthorizer, HttpIntegration, HttpRoute, UserPool, UserPoolClient):
        assert known.get(model.TYPE) is model, f"{model.TYPE} is not registered"
